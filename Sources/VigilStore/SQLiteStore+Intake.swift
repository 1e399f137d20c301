import Foundation
import GRDB
import Logging
import VigilCore

/// Where the intake log stands: what is acknowledged, what is in SQLite, and who waits for it.
struct IntakeState {
    /// This store holds the log's lock and acknowledges steps from it; otherwise steps go to SQLite directly.
    var owned = false
    var nextSequence: UInt64 = 1
    /// The last step written to the file (acknowledged or about to be).
    var written: UInt64 = 0
    /// The last step acknowledged.
    var acknowledged: UInt64 = 0
    /// The last step in SQLite.
    var applied: UInt64 = 0
    /// Frames acknowledged and not yet in SQLite, oldest first.
    var frames: [IntakeLog.Frame] = []
    var pendingSteps = 0
    var applying = false
    /// Tests hold the copying back to leave steps in the log alone.
    var paused = false
    var waiters: [(through: UInt64, continuation: UnsafeContinuation<Void, Never>)] = []
    /// Bytes in the log file since it was last emptied.
    var fileBytes = 0
    /// Past this size the next group commit waits until the log is all copied, and empties it before writing: under
    /// a steady load the copying never finds the log idle to empty it, and it would grow without end. Large enough
    /// that a million deadlines in a minute (~150 MB) never wait for it: the copying is seconds behind by then.
    var fileLimit = 256 << 20
}

extension SQLiteStore {
    /// Steps copied into SQLite in one transaction at most.
    static let stepsPerApply = 8_192

    /// Acknowledged steps not yet in SQLite beyond which the group commit waits for the copying to catch up, so
    /// that memory stays bounded (~100 bytes each) when SQLite falls behind.
    static let intakeBacklog = 400_000

    static func createIntakeMark(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-11-30 intake") { db in
            try db.execute(
                sql: """
                    CREATE TABLE intake_mark (id INTEGER PRIMARY KEY CHECK (id = 1), applied INTEGER NOT NULL);
                    INSERT INTO intake_mark (id, applied) VALUES (1, 0);
                    """
            )
        }
    }

    // MARK: - Taking the log

    /// Takes the intake log if no other store holds it, and copies into SQLite whatever a store that died left in
    /// it. False when another store holds it. A store holds the log only while steps wait in it to be copied.
    func takeIntake() throws(StoreError) -> Bool {
        guard intakeLog.lock() else { return false }
        do {
            let next = try replayIntake()
            intake.withLock { state in
                // Numbers are never given twice: a step numbered at or below the mark would be passed over at replay.
                if next < state.nextSequence {
                    logger.error("the intake log's numbering went back", metadata: [
                        "vigil.next": "\(next)", "vigil.previous": "\(state.nextSequence)"])
                }
                state.owned = true
                state.fileBytes = 0
                state.nextSequence = next
                state.written = next - 1
                state.acknowledged = next - 1
                state.applied = next - 1
            }
            return true
        } catch {
            intakeLog.unlock()
            throw error
        }
    }

    /// At opening: copies in what is left in the log. When another store holds it (a server beside a CLI, or a
    /// store opened again in one process), waits up to `patience` seconds for it to finish copying and let go.
    func openIntake(patience: Double = 3) throws(StoreError) {
        let giveUp = Date(timeIntervalSinceNow: patience)
        while true {
            if try takeIntake() {
                // Let go until the first commit, so that a store opened only to read or seed does not keep the log
                // from the server.
                intake.withLock { $0.owned = false }
                intakeLog.unlock()
                return
            }
            guard Date() < giveUp else { break }
            Thread.sleep(forTimeInterval: 0.005)
        }
        logger.notice(
            "another store holds the intake log; steps it acknowledged in the last moments may not be read here yet",
            metadata: ["vigil.file": "\(intakeLog.path)"]
        )
    }

    /// Copies the log's steps that SQLite does not have yet, empties the log, and returns the next step's number.
    private func replayIntake() throws(StoreError) -> UInt64 {
        let (frames, ignored) = try intakeLog.frames()
        if ignored > 0 {
            logger.warning(
                "the intake log ends in \(ignored) bytes that are not a whole frame: a write cut short by a crash, never acknowledged; ignored",
                metadata: ["vigil.file": "\(intakeLog.path)"]
            )
        }
        do {
            let mark = try pool.read { db in try Int64.fetchOne(db, sql: "SELECT applied FROM intake_mark") ?? 0 }
            var next = UInt64(mark) + 1
            var steps: [(sequence: UInt64, batch: ChangeBatch)] = []
            var expected = frames.first?.first
            for frame in frames {
                if frame.first != expected {
                    logger.error("the intake log skips from step \(expected ?? 0) to \(frame.first)")
                }
                expected = frame.last + 1
            }
            for frame in frames where frame.last >= next {
                try decode(frame) { sequence, batch in
                    if sequence >= next { steps.append((sequence, batch)) }
                }
            }
            var start = 0
            while start < steps.count {
                let chunk = steps[start..<min(steps.count, start + Self.stepsPerApply)]
                try pool.write { db in try applySteps(chunk, pruning: false, in: db) }
                start += chunk.count
            }
            if let last = steps.last { next = last.sequence + 1 }
            if let last = frames.last { next = max(next, last.last + 1) }
            intakeLog.truncate()
            if !steps.isEmpty {
                logger.notice(
                    "copied \(steps.count) acknowledged steps from the intake log into the database",
                    metadata: ["vigil.mark": "\(mark)", "vigil.frames": "\(frames.count)",
                               "vigil.first": "\(frames.first?.first ?? 0)", "vigil.last": "\(frames.last?.last ?? 0)"])
            }
            return next
        } catch let error as StoreError {
            throw error
        } catch {
            throw .unavailable("the intake log \(intakeLog.path) could not be copied into the database: "
                + "\(Self.describe(error)) — nothing was lost; start the Vigil version that wrote it, or free the "
                + "disk, and start again")
        }
    }

    private func decode(_ frame: IntakeLog.Frame, _ body: (UInt64, ChangeBatch) -> Void) throws(StoreError) {
        do {
            // Untyped: a typed-throws closure here crashes Swift 6.3's IR generation.
            try frame.payload.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws(any Error) -> Void in
                var offset = 0
                for index in 0..<frame.count {
                    body(frame.first + UInt64(index), try IntakeCodec.decode(raw, at: &offset))
                }
            }
        } catch {
            throw .corrupt("step \(frame.first) of the intake log \(intakeLog.path) cannot be read (\(error)) — "
                + "it was written by another version of Vigil; start that version to copy it into the database")
        }
    }

    // MARK: - Acknowledging

    /// Writes one group's steps to the log and hands them to the copying; throws when they are not durable. False,
    /// with nothing written, when another store holds the log: the steps must go to SQLite directly.
    func appendToIntake(_ batches: [ChangeBatch]) throws(StoreError) -> Bool {
        var payload: [UInt8] = []
        payload.reserveCapacity(batches.count * 160)
        for batch in batches { IntakeCodec.encode(batch, into: &payload) }
        var frame: IntakeLog.Frame?
        while frame == nil {
            if !intake.withLock({ $0.owned }) {
                guard try takeIntake() else { return false }
            }
            waitForEmptying()
            // Written under the lock, so that the log is never emptied or let go with a frame not yet counted.
            frame = try intake.withLock { (state: inout IntakeState) throws(StoreError) -> IntakeLog.Frame? in
                guard state.owned else { return nil }
                if state.fileBytes >= state.fileLimit, state.applied == state.written {
                    intakeLog.truncate()
                    state.fileBytes = 0
                }
                let frame = IntakeLog.Frame(first: state.nextSequence, count: batches.count, payload: payload)
                let bytes = IntakeLog.frame(first: frame.first, count: frame.count, payload: payload)
                try intakeLog.append(bytes)
                state.fileBytes += bytes.count
                state.nextSequence = frame.last + 1
                state.written = frame.last
                return frame
            }
        }
        guard let frame else { return false }
        if syncsIntake { try intakeLog.sync() }
        let leads = intake.withLock { state in
            state.acknowledged = frame.last
            state.frames.append(frame)
            state.pendingSteps += frame.count
            guard !state.applying, !state.paused else { return false }
            state.applying = true
            return true
        }
        if leads { applier.async { self.drainIntake() } }
        waitForRoom()
        return true
    }

    /// When the log has outgrown its `fileLimit`, waits until every step in it is copied, so that it can be emptied.
    private func waitForEmptying() {
        waitForCopying { $0.owned && $0.fileBytes >= $0.fileLimit && $0.applied < $0.written }
    }

    private func waitForRoom() {
        waitForCopying { $0.pendingSteps > Self.intakeBacklog }
    }

    /// Blocks the group commit while `blocked` holds (never while the copying is held back), rechecking each time
    /// the copying gains ground and at least every 0.1 s.
    private func waitForCopying(while blocked: (IntakeState) -> Bool) {
        guard intake.withLock({ !$0.paused && blocked($0) }) else { return }
        room.lock()
        while intake.withLock({ !$0.paused && blocked($0) }) {
            _ = room.wait(until: Date(timeIntervalSinceNow: 0.1))
        }
        room.unlock()
    }

    /// Waits until every step acknowledged so far is in SQLite, so that a read sees it and a direct write follows it.
    func intakeCaughtUp() async {
        let target: UInt64? = intake.withLock { $0.applied >= $0.acknowledged ? nil : $0.acknowledged }
        guard let target else { return }
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let ready = intake.withLock { state in
                if state.applied >= target { return true }
                state.waiters.append((target, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Holds the copying back (tests), or lets it go on.
    func pauseIntake(_ paused: Bool) {
        let leads = intake.withLock { state in
            state.paused = paused
            guard !paused, !state.applying, !state.frames.isEmpty else { return false }
            state.applying = true
            return true
        }
        if leads { applier.async { self.drainIntake() } }
    }

    // MARK: - Copying into SQLite

    // Runs on `applier` while frames wait: each round copies up to `stepsPerApply` steps in one transaction.
    private func drainIntake() {
        while true {
            let frames = intake.withLock { state -> [IntakeLog.Frame] in
                var count = 0
                var steps = 0
                while !state.paused, count < state.frames.count,
                    count == 0 || steps + state.frames[count].count <= Self.stepsPerApply
                {
                    steps += state.frames[count].count
                    count += 1
                }
                // Taken at once: removing the first frame one at a time moved the whole backlog each time.
                let taken = Array(state.frames.prefix(count))
                state.frames.removeFirst(count)
                if taken.isEmpty {
                    state.applying = false
                    // All copied: empty the log and let it go, so that another store opening the database finds
                    // nothing to wait for.
                    if state.owned, !state.paused, state.applied == state.written {
                        intakeLog.truncate()
                        state.fileBytes = 0
                        state.owned = false
                        intakeLog.unlock()
                    }
                }
                return taken
            }
            guard let last = frames.last?.last else { return }
            let expected = intake.withLock { $0.applied + 1 }
            if frames[0].first != expected {
                logger.error("the intake log's copying skips from step \(expected) to \(frames[0].first)")
            }
            var steps: [(sequence: UInt64, batch: ChangeBatch)] = []
            steps.reserveCapacity(frames.reduce(0) { $0 + $1.count })
            do {
                for frame in frames {
                    try decode(frame) { steps.append(($0, $1)) }
                }
            } catch {
                // The frames were encoded by this process a moment ago; not reading them back is a defect.
                logger.critical("a step of the intake log could not be read back", metadata: ["vigil.error": "\(error)"])
            }
            copy(steps)
            let ready = intake.withLock { state in
                state.applied = last
                state.pendingSteps -= frames.reduce(0) { $0 + $1.count }
                let ready = state.waiters.filter { $0.through <= last }.map(\.continuation)
                state.waiters.removeAll { $0.through <= last }
                return ready
            }
            for continuation in ready { continuation.resume() }
            room.lock()
            room.broadcast()
            room.unlock()
        }
    }

    /// Copies acknowledged steps into SQLite with the mark of the last one. A step SQLite refuses as such (a
    /// constraint) is logged and passed over; any other failure (the disk full, the file unwritable) is retried
    /// every second, since the steps are safe in the log meanwhile and reads wait for them.
    private func copy(_ steps: [(sequence: UInt64, batch: ChangeBatch)]) {
        do {
            try pool.write { db in try applySteps(steps[...], in: db) }
            return
        } catch {
            logger.warning("copying from the intake log failed; copying one by one", metadata: ["vigil.error": "\(error)"])
        }
        var index = 0
        while index < steps.count {
            let step = steps[index]
            do {
                try pool.write { db in try applySteps(steps[index...index], in: db) }
                index += 1
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                logger.error(
                    "an acknowledged step was refused by the database and is not stored",
                    metadata: ["vigil.monitor": "\(step.batch.monitorID)", "vigil.error": "\(Self.describe(error))"]
                )
                try? pool.write { db in try Self.mark(step.sequence, in: db) }
                index += 1
            } catch {
                logger.error(
                    "the database cannot take acknowledged steps; they stay in the intake log, retrying in 1 s",
                    metadata: ["vigil.error": "\(Self.describe(error))"]
                )
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }

    /// Writes steps in order, each monitor's state only once (its newest revision, which is the one the store
    /// keeps whatever the order), and the mark of the last step.
    private func applySteps(
        _ steps: ArraySlice<(sequence: UInt64, batch: ChangeBatch)>, pruning: Bool = true, in db: Database
    ) throws {
        guard let last = steps.last else { return }
        var newest: [UUID: Int] = [:]
        newest.reserveCapacity(steps.count)
        for index in steps.indices {
            let batch = steps[index].batch
            if let kept = newest[batch.monitorID], steps[kept].batch.state.revision > batch.state.revision { continue }
            newest[batch.monitorID] = index
        }
        for index in steps.indices {
            let batch = steps[index].batch
            try apply(batch, writingState: newest[batch.monitorID] == index, pruning: pruning, in: db)
        }
        try Self.mark(last.sequence, in: db)
    }

    private static func mark(_ sequence: UInt64, in db: Database) throws {
        try db.cachedStatement(sql: "UPDATE intake_mark SET applied = ?").run { values in
            values.add(Int64(sequence))
        }
    }
}
