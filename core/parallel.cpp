#include "parallel.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace attnscope {

namespace {

// Calls ready() until it is true (true) or ThreadPool::SpinFor has passed (false).
template <class Ready>
bool lookFor(Ready &&ready)
{
    const auto until = std::chrono::steady_clock::now() + ThreadPool::SpinFor;
    for (unsigned i = 1;; ++i) {
        if (ready()) return true;
        if (i % 64 == 0 && std::chrono::steady_clock::now() >= until) return false;
#if defined(__x86_64__) || defined(__i386__)
        _mm_pause();
#else
        std::this_thread::yield();
#endif
    }
}

} // namespace

ThreadPool::~ThreadPool()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_quit = true;
        m_posted.fetch_add(1, std::memory_order_release);
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
    m_finishedSeen.store(0, std::memory_order_relaxed);
    // more parts than cores: a thread that looks would take a core from one that works
    m_look = unsigned(parts) <= m_cores;
    ++m_generation;
    m_posted.store(m_generation, std::memory_order_release);
    m_wake.notify_all();
    claimParts(lock);
    if (m_finished != m_parts && m_look) {
        lock.unlock();
        lookFor([&] { return m_finishedSeen.load(std::memory_order_acquire) == parts; });
        lock.lock();
    }
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
        m_finishedSeen.store(++m_finished, std::memory_order_release);
        if (m_finished == m_parts) m_done.notify_one();
    }
}

void ThreadPool::loop()
{
    unsigned seen = 0;
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        if (m_look && !m_quit && m_generation == seen) {
            lock.unlock();
            lookFor([&] { return m_posted.load(std::memory_order_acquire) != seen; });
            lock.lock();
        }
        if (!m_quit && m_generation == seen) {
            ++m_sleeping;
            m_wake.wait(lock, [&] { return m_quit || m_generation != seen; });
            --m_sleeping;
        }
        if (m_quit) return;
        seen = m_generation;
        claimParts(lock);
    }
}

int ThreadPool::sleeping() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_sleeping;
}

} // namespace attnscope
