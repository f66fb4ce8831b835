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
    while (int(m_threads.size()) < parts - 1) m_threads.emplace_back([this] { loop(); });
    std::unique_lock<std::mutex> lock(m_mutex);
    m_work = &work;
    m_parts = parts;
    m_next = 0;
    m_finished = 0;
    ++m_generation;
    m_wake.notify_all();
    claimParts(lock);
    m_done.wait(lock, [this] { return m_finished == m_parts; });
    m_work = nullptr;
}

void ThreadPool::claimParts(std::unique_lock<std::mutex> &lock)
{
    // m_work and m_parts are this run's while a part is unclaimed: the
    // caller waits for every part before it starts another run
    while (m_next < m_parts) {
        const int part = m_next++;
        const std::function<void(int)> &work = *m_work;
        lock.unlock();
        work(part);
        lock.lock();
        if (++m_finished == m_parts) m_done.notify_one();
    }
}

void ThreadPool::loop()
{
    unsigned seen = 0;
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [&] { return m_quit || m_generation != seen; });
        if (m_quit) return;
        seen = m_generation;
        claimParts(lock);
    }
}

} // namespace attnscope
