// A small persistent pool of worker threads for the data-parallel training
// step. Work is split statically (part i always does the same share), so
// results do not depend on timing.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace attnscope {

class ThreadPool {
public:
    ThreadPool() = default;
    ~ThreadPool();
    ThreadPool(const ThreadPool &) = delete;
    ThreadPool &operator=(const ThreadPool &) = delete;

    // Runs work(0) .. work(parts - 1), part 0 on the calling thread, and
    // returns when all are done. Starts workers on first use.
    void run(int parts, const std::function<void(int)> &work);

private:
    void loop(int index);

    std::vector<std::thread> m_threads;
    std::mutex m_mutex;
    std::condition_variable m_wake, m_done;
    const std::function<void(int)> *m_work = nullptr;
    int m_parts = 0;
    int m_pending = 0;
    unsigned m_generation = 0;
    bool m_quit = false;
};

} // namespace attnscope
