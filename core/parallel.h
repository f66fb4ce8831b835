// A small persistent pool of worker threads for the data-parallel training
// step. Work is split statically (part i always does the same share), so
// results do not depend on timing; which thread runs a part does: whichever
// claims it first, the calling thread included, so that a worker the system
// is slow to wake (a busy machine) does not hold the caller up.
//
// Waking a sleeping thread costs tens of microseconds (more on a virtual
// machine), as much as a small part's work: a worker that has finished looks
// for the next run for a short while (SpinFor) before it sleeps, and the
// caller looks for the last part's end for as long before it sleeps; not
// when a run has more parts than the machine has cores.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
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

    // Runs work(0) .. work(parts - 1), each once, on the calling thread and
    // up to parts - 1 workers (each part on whichever claims it first: a
    // part must not depend on the thread that runs it), and returns when all
    // are done. Starts workers on first use.
    void run(int parts, const std::function<void(int)> &work);

    // How long a thread of the pool looks for work (a worker) or for the
    // parts' end (the caller) before it sleeps.
    static constexpr std::chrono::microseconds SpinFor{200};
    // How many workers sleep now, having found no run (tests).
    int sleeping() const;

private:
    void loop();
    // Runs the parts of this run left unclaimed; lock held on entry and return.
    void claimParts(std::unique_lock<std::mutex> &lock);

    std::vector<std::thread> m_threads;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake, m_done;
    const std::function<void(int)> *m_work = nullptr;
    int m_parts = 0;
    int m_next = 0;      // the next part to claim
    int m_finished = 0;  // parts done
    unsigned m_generation = 0;
    bool m_quit = false;
    bool m_look = true;          // whether this run's threads look before they sleep
    // The machine's cores, read once: hardware_concurrency() reads a file of
    // /sys at every call (10 us here, as long as a small part's work).
    const unsigned m_cores = std::max(1u, std::thread::hardware_concurrency());
    int m_sleeping = 0;          // sleeping()
    // Copies of m_generation (and of m_quit: it moves on when quitting) and
    // of m_finished, written under the mutex, read without it while looking
    // (a hint only: every decision is taken again under the mutex).
    std::atomic<unsigned> m_posted{0};
    std::atomic<int> m_finishedSeen{0};
};

} // namespace attnscope
