// ThreadSanitizer annotations for the queued hand-offs between the GUI
// thread and the training worker (docs/testing.md, "Sanitizers").
//
// A queued signal or QMetaObject::invokeMethod copies its arguments (or the
// functor) into an event on the sending thread and posts it; the receiving
// thread takes it off Qt's queue under a QMutex. Qt 6's QMutex is a futex
// inside libQt6Core (not built with TSan), so TSan does not see that order
// and reports the copy and every later use of it on the receiving thread as
// a race between two of our frames. In a TSan build only, we tell it that
// order:
//
//   sender:   { HandOffSend send; emit ...; }      (or invokeMethod)
//   receiver: installHandOffHook() makes every event delivery (Qt's
//             EventNotifyCallback, before any event filter or slot) call
//             handOffReceived().
//
// HandOffSend holds a mutex while the post happens and, at its end (after
// the post), does __tsan_release on one sync address; handOffReceived waits
// for that mutex (so the post it runs for has ended) and does
// __tsan_acquire. The mutex itself is hidden from TSan (AnnotateIgnoreSync),
// so TSan learns "what the sender did before it posted happens before what
// the receiver does when it takes an event", one way, never the reverse: a
// receiver's writes are not ordered before the sender's later reads. What
// is over-approximated: a receiver is ordered after the *latest* send, which
// may be a later post than the event it handles; and a thread that takes no
// events (the worker inside its training loop) learns nothing. In any other
// build all of this is empty.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define ATTNSCOPE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ATTNSCOPE_TSAN 1
#endif
#endif

#ifdef ATTNSCOPE_TSAN
#include <QtCore/qnamespace.h>

#include <mutex>

extern "C" {
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
void AnnotateIgnoreSyncBegin(const char *file, int line);
void AnnotateIgnoreSyncEnd(const char *file, int line);
}
#endif

namespace attnscope {

#ifdef ATTNSCOPE_TSAN
namespace detail {
inline std::recursive_mutex &handOffMutex()
{
    static std::recursive_mutex mutex;  // recursive: a sender may take an event while it posts
    return mutex;
}
inline void *handOffSync()
{
    static char sync;
    return &sync;
}
} // namespace detail

class HandOffSend {
public:
    HandOffSend()
    {
        AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
        detail::handOffMutex().lock();
        AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
    }
    ~HandOffSend()
    {
        __tsan_release(detail::handOffSync());
        AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
        detail::handOffMutex().unlock();
        AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
    }
    HandOffSend(const HandOffSend &) = delete;
    HandOffSend &operator=(const HandOffSend &) = delete;
};

inline void handOffReceived()
{
    AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
    detail::handOffMutex().lock();
    detail::handOffMutex().unlock();
    AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
    __tsan_acquire(detail::handOffSync());
}

inline void installHandOffHook()
{
    static const bool installed = QInternal::registerCallback(QInternal::EventNotifyCallback, [](void **) {
        handOffReceived();
        return false;  // deliver the event as usual
    });
    (void)installed;
}
#else
class HandOffSend {
public:
    HandOffSend() {}   // user-provided: `HandOffSend send;` is not an unused variable
    ~HandOffSend() {}
    HandOffSend(const HandOffSend &) = delete;
    HandOffSend &operator=(const HandOffSend &) = delete;
};

inline void handOffReceived() {}
inline void installHandOffHook() {}
#endif

} // namespace attnscope
