import Synchronization

/// Runs an action once a known number of callbacks have come back, whichever thread each arrives on.
final class Countdown: Sendable {
    private let left: Mutex<Int>
    private let done: @Sendable () -> Void

    /// - Parameters:
    ///   - count: the callbacks to wait for; at zero, `done` runs at once.
    ///   - done: runs once, on the thread of the last callback.
    init(_ count: Int, done: @escaping @Sendable () -> Void) {
        left = Mutex(count)
        self.done = done
        if count <= 0 { done() }
    }

    /// Counts one callback.
    func tick() {
        let finished = left.withLock { left -> Bool in
            left -= 1
            return left == 0
        }
        if finished { done() }
    }
}
