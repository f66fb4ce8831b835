#include "parallel.h"

namespace attnscope {

ThreadPool::~ThreadPool()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_quit = true;
    }
    m_wake.notify_all();
    for (std::thread &t : m_threads) t.join();
}

void ThreadPool::run(int parts, const std::function<void(int)> &work)
{
    if (parts <= 1) {
        work(0);
        return;
    }
    while (int(m_threads.size()) < parts - 1) {
        const int index = int(m_threads.size()) + 1;
        m_threads.emplace_back([this, index] { loop(index); });
    }
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_work = &work;
        m_parts = parts;
        m_pending = parts - 1;
        ++m_generation;
    }
    m_wake.notify_all();
    work(0);
    std::unique_lock<std::mutex> lock(m_mutex);
    m_done.wait(lock, [this] { return m_pending == 0; });
    m_work = nullptr;
}

void ThreadPool::loop(int index)
{
    unsigned seen = 0;
    for (;;) {
        const std::function<void(int)> *work = nullptr;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait(lock, [&] { return m_quit || m_generation != seen; });
            if (m_quit) return;
            seen = m_generation;
            if (index < m_parts) work = m_work;
        }
        if (!work) continue;
        (*work)(index);
        std::lock_guard<std::mutex> lock(m_mutex);
        if (--m_pending == 0) m_done.notify_one();
    }
}

} // namespace attnscope
