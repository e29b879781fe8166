// The lock word of a KLock and the few atomic operations on it.
//
// Swift cannot take the address of a `Synchronization.Atomic`, and the futex call
// needs one, so the word lives in memory that Swift allocates and these inline
// functions operate on it with the compiler's atomic builtins.
#ifndef CKLOCK_FUTEX_H
#define CKLOCK_FUTEX_H

#include <stdbool.h>
#include <stdint.h>

/// The state word is one of these values.
enum {
    CKLOCK_UNLOCKED = 0,
    CKLOCK_LOCKED = 1,
    CKLOCK_CONTENDED = 2,
    CKLOCK_EXTRA_CONTENDED = 3,
};

typedef struct {
    /// UNLOCKED, LOCKED, CONTENDED or EXTRA_CONTENDED; the futex word.
    uint32_t state;
    /// Advances on every acquisition; written only by the holder.
    uint32_t epoch;
} cklock_word;

/// Parks the calling thread while `*state == expected` (spurious returns allowed).
void cklock_futex_wait(uint32_t *state, uint32_t expected);
/// Wakes up to `count` threads parked on `state`.
void cklock_futex_wake(uint32_t *state, int32_t count);
/// Gives up the rest of the thread's time slice.
void cklock_yield(void);

static inline __attribute__((always_inline)) void cklock_bump_epoch(cklock_word *word) {
    // Only the holder writes the epoch, so a plain load and store suffice.
    uint32_t epoch = __atomic_load_n(&word->epoch, __ATOMIC_RELAXED);
    __atomic_store_n(&word->epoch, epoch + 1, __ATOMIC_RELAXED);
}

static inline __attribute__((always_inline)) bool cklock_try_lock(cklock_word *word) {
    uint32_t expected = CKLOCK_UNLOCKED;
    if (__atomic_compare_exchange_n(&word->state, &expected, CKLOCK_LOCKED, false,
                                    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        cklock_bump_epoch(word);
        return true;
    }
    return false;
}

/// Swaps in `state` and reports whether the lock was free (and is now held).
static inline __attribute__((always_inline)) bool cklock_swap_acquire(cklock_word *word, uint32_t state) {
    if (__atomic_exchange_n(&word->state, state, __ATOMIC_ACQUIRE) == CKLOCK_UNLOCKED) {
        cklock_bump_epoch(word);
        return true;
    }
    return false;
}

static inline __attribute__((always_inline)) uint32_t cklock_load_state(cklock_word *word) {
    return __atomic_load_n(&word->state, __ATOMIC_RELAXED);
}

static inline __attribute__((always_inline)) uint32_t cklock_load_epoch(cklock_word *word) {
    return __atomic_load_n(&word->epoch, __ATOMIC_RELAXED);
}

/// Parks the calling thread while the lock's state is `expected` (spurious
/// returns allowed). The state's address is taken here, in C: taking it in Swift
/// would be a Swift access to memory other threads change atomically.
static inline __attribute__((always_inline)) void cklock_park(cklock_word *word, uint32_t expected) {
    cklock_futex_wait(&word->state, expected);
}

/// Releases the lock and wakes one parked thread (two when extra-contended).
static inline __attribute__((always_inline)) void cklock_unlock(cklock_word *word) {
    uint32_t previous = __atomic_exchange_n(&word->state, CKLOCK_UNLOCKED, __ATOMIC_RELEASE);
    if (previous >= CKLOCK_CONTENDED) {
        cklock_futex_wake(&word->state, previous == CKLOCK_EXTRA_CONTENDED ? 2 : 1);
    }
}

/// A CPU hint that this thread is spinning.
static inline __attribute__((always_inline)) void cklock_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

#endif
