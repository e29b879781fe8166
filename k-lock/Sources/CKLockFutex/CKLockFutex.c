#include "CKLockFutex.h"

#include <sched.h>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

void cklock_futex_wait(uint32_t *state, uint32_t expected) {
    // EAGAIN (the word changed) and EINTR are both fine: the caller re-checks.
    syscall(SYS_futex, state, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

void cklock_futex_wake(uint32_t *state, int32_t count) {
    syscall(SYS_futex, state, FUTEX_WAKE_PRIVATE, count, NULL, NULL, 0);
}
#else
// Portable fallback: no kernel parking, waiting degrades to yielding.
void cklock_futex_wait(uint32_t *state, uint32_t expected) {
    if (__atomic_load_n(state, __ATOMIC_RELAXED) == expected) {
        sched_yield();
    }
}

void cklock_futex_wake(uint32_t *state, int32_t count) {
    (void)state;
    (void)count;
}
#endif

void cklock_yield(void) {
    sched_yield();
}
