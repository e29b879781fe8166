import CKLockFutex

/// The heap cell behind a ``KLock``: the lock word as the header, the protected
/// value as the single element, so both have stable addresses.
@usableFromInline
final class KLockStorage<Value>: ManagedBuffer<cklock_word, Value> {
    @inlinable
    static func make(_ initialValue: Value) -> KLockStorage<Value> {
        let buffer = Self.create(minimumCapacity: 1) { _ in cklock_word(state: 0, epoch: 0) }
        let storage = unsafeDowncast(buffer, to: KLockStorage<Value>.self)
        storage.withUnsafeMutablePointerToElements { $0.initialize(to: initialValue) }
        return storage
    }

    deinit {
        _ = withUnsafeMutablePointerToElements { $0.deinitialize(count: 1) }
    }

    /// One compare-and-swap when the lock is free.
    @inlinable
    func lock() {
        let acquired = withUnsafeMutablePointerToHeader { cklock_try_lock($0) }
        if !acquired {
            lockContended()
        }
    }

    /// One swap, plus a futex wake only when a thread is parked.
    @inlinable
    func unlock() {
        withUnsafeMutablePointerToHeader { cklock_unlock($0) }
    }

    @inlinable
    func tryLock() -> Bool {
        withUnsafeMutablePointerToHeader { cklock_try_lock($0) }
    }

    /// The slow path: spin while the lock changes hands, then park.
    ///
    /// A parked thread must leave the word contended when it takes the lock, or the
    /// holder's unlock would not wake the threads still parked behind it. A thread
    /// that finds the word already contended raises it to extra-contended so that the
    /// next unlock wakes two: waiters then keep the lock moving instead of each one
    /// paying a full park/unpark round trip in turn.
    @usableFromInline
    @inline(never)
    func lockContended() {
        withUnsafeMutablePointerToHeader { word in
            while true {
                let observed = Self.spin(word)
                let parkedState: UInt32
                if observed < UInt32(CKLOCK_CONTENDED) {
                    parkedState = UInt32(CKLOCK_CONTENDED)
                } else {
                    parkedState = UInt32(CKLOCK_EXTRA_CONTENDED)
                }
                if observed != UInt32(CKLOCK_EXTRA_CONTENDED), cklock_swap_acquire(word, parkedState) {
                    return
                }
                cklock_park(word, parkedState)
            }
        }
    }

    /// Spins while the lock is held without contention and its holders keep changing.
    ///
    /// Each new epoch (another acquisition happened) refreshes the budget and yields
    /// once; a budget of pauses without progress, or a parked waiter, ends the spin.
    /// Returns the last observed state; an unlocked state means "try now".
    @usableFromInline
    static func spin(_ word: UnsafeMutablePointer<cklock_word>) -> UInt32 {
        let budget = 400
        var remaining = budget
        var epoch = cklock_load_epoch(word)
        while true {
            let state = cklock_load_state(word)
            if state != UInt32(CKLOCK_LOCKED) || remaining == 0 {
                return state
            }
            let now = cklock_load_epoch(word)
            if now != epoch {
                epoch = now
                remaining = budget
                cklock_yield()
            }
            cklock_pause()
            remaining -= 1
        }
    }
}
