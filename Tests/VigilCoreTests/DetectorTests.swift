import Foundation
import Testing

@testable import VigilCore

/// Hands out incident ids 00000000-0000-0000-0000-000000000001, …2, … so tests can name the incident they expect.
final class IncidentIDs {
    private(set) var issued = 0

    func next() -> UUID {
        issued += 1
        return Self.id(issued)
    }

    static func id(_ number: Int) -> UUID {
        UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", number))!
    }
}

/// One monitor's detector and its current state, stepped through signals and time as the engine would.
final class DetectorHarness {
    let detector: Detector
    var state: MonitorState
    let ids = IncidentIDs()

    init(_ monitor: Monitor, state: MonitorState? = nil) {
        self.detector = Detector(monitor: monitor)
        self.state = state ?? .new(at: DetectorTests.t0)
    }

    @discardableResult
    func signal(_ kind: SignalKind, at date: Date, value: Double? = nil, runID: UUID? = nil) -> Decision {
        let decision = detector.handle(
            Signal(kind: kind, at: date, value: value, runID: runID), in: state, newIncidentID: ids.next
        )
        state = decision.state
        return decision
    }

    @discardableResult
    func advance(to date: Date) -> Decision {
        let decision = detector.advance(state, to: date, newIncidentID: ids.next)
        state = decision.state
        return decision
    }

    @discardableResult
    func pause(at date: Date) -> Decision {
        let decision = detector.pause(state, at: date)
        state = decision.state
        return decision
    }

    @discardableResult
    func resume(at date: Date) -> Decision {
        let decision = detector.resume(state, at: date)
        state = decision.state
        return decision
    }
}

extension Decision {
    var opened: [Incident] {
        effects.compactMap { if case .opened(let incident) = $0 { incident } else { nil } }
    }

    var resolved: [Incident] {
        effects.compactMap { if case .resolved(let incident) = $0 { incident } else { nil } }
    }
}

@Suite("Detector")
struct DetectorTests {
    /// 2026-05-01T10:00:00Z; every other time in these tests is an offset from it.
    static let t0 = Date(timeIntervalSince1970: 1_777_629_600)
    static let monitorID = UUID(uuidString: "6A1F0C52-0000-4000-8000-000000000001")!

    private func t(_ seconds: TimeInterval) -> Date {
        Self.t0.addingTimeInterval(seconds)
    }

    private func instant(_ iso: String) throws -> Date {
        try Date(iso, strategy: .iso8601)
    }

    /// Hourly progress, five minutes' grace unless a test says otherwise.
    private func monitor(
        schedule: Schedule = .every(3_600),
        grace: TimeInterval = 300,
        maxRuntime: TimeInterval? = nil,
        progress: Set<String> = Monitor.defaultProgressKinds,
        advancing: Set<String> = []
    ) -> Monitor {
        Monitor(
            id: Self.monitorID,
            key: UUID(uuidString: "6A1F0C52-0000-4000-8000-0000000000FF")!,
            slug: "nightly-backup",
            schedule: schedule,
            grace: grace,
            maxRuntime: maxRuntime,
            progressKinds: progress,
            advancingKinds: advancing
        )
    }

    /// A harness whose monitor made progress at `t0`.
    private func upAtT0(_ monitor: Monitor) -> DetectorHarness {
        let harness = DetectorHarness(monitor)
        harness.signal(.success, at: t(0))
        return harness
    }

    // MARK: - new → up → late → stalled

    @Test("a new monitor has no deadline and time alone does not change it")
    func newWaitsForFirstProgress() {
        let harness = DetectorHarness(monitor())
        #expect(harness.detector.deadline(of: harness.state) == nil)
        #expect(harness.detector.due(in: harness.state) == nil)

        let decision = harness.advance(to: t(30 * 86_400))
        #expect(decision.effects.isEmpty)
        #expect(decision.deadline == nil)
        #expect(harness.state.status == .new)
    }

    @Test("the first progress takes a new monitor up and sets when progress is next due")
    func newToUpOnProgress() {
        let harness = DetectorHarness(monitor())
        let decision = harness.signal(.success, at: t(0))

        #expect(decision.changes.map { "\($0.from)→\($0.to)" } == ["new→up"])
        #expect(decision.changes.first?.at == t(0))
        #expect(decision.changes.first?.noticedAt == t(0))
        #expect(decision.changes.first?.incidentID == nil)
        #expect(decision.changes.first?.monitorID == Self.monitorID)
        #expect(decision.verdict == SignalVerdict(isProgress: true, runDuration: nil))
        #expect(harness.state.status == .up)
        #expect(harness.state.since == t(0))
        #expect(harness.state.lastProgressAt == t(0))
        #expect(harness.state.lastSignalAt == t(0))
        #expect(harness.detector.due(in: harness.state) == t(3_600))
        #expect(decision.deadline == t(3_600))
    }

    @Test("more progress while up moves the due time and changes nothing else")
    func progressWhileUpMovesDue() {
        let harness = upAtT0(monitor())
        let decision = harness.signal(.success, at: t(1_000))
        #expect(decision.effects.isEmpty)
        #expect(harness.state.status == .up)
        #expect(harness.state.since == t(0))
        #expect(decision.deadline == t(4_600))
    }

    @Test("an up monitor turns late exactly at the due time")
    func upToLateAtDue() {
        let harness = upAtT0(monitor())
        #expect(harness.advance(to: t(3_599.999)).effects.isEmpty)
        #expect(harness.state.status == .up)

        let decision = harness.advance(to: t(3_600))
        #expect(decision.changes.map { "\($0.from)→\($0.to)" } == ["up→late"])
        #expect(decision.changes.first?.at == t(3_600))
        #expect(decision.changes.first?.incidentID == nil)
        #expect(decision.opened.isEmpty)
        #expect(harness.state.status == .late)
        #expect(harness.state.since == t(3_600))
        #expect(decision.deadline == t(3_900))
    }

    @Test("a late monitor stalls at due plus grace and opens an incident whose onset is the due time")
    func lateToStalledAtDuePlusGrace() {
        let harness = upAtT0(monitor())
        harness.advance(to: t(3_600))
        #expect(harness.advance(to: t(3_899.999)).effects.isEmpty)
        #expect(harness.state.status == .late)

        let decision = harness.advance(to: t(3_900))
        let expected = Incident(
            id: IncidentIDs.id(1), monitorID: Self.monitorID, cause: .stall, onset: t(3_600), detectedAt: t(3_900)
        )
        #expect(decision.effects.count == 2)
        #expect(decision.opened == [expected])
        #expect(decision.changes.map { "\($0.from)→\($0.to)" } == ["late→stalled"])
        #expect(decision.changes.first?.at == t(3_900))
        #expect(decision.changes.first?.noticedAt == t(3_900))
        #expect(decision.changes.first?.incidentID == IncidentIDs.id(1))
        #expect(harness.state.status == .stalled)
        #expect(harness.state.incident == expected)
        #expect(decision.deadline == nil)
    }

    @Test("a stall noticed long after its deadline, e.g. after a restart, is journaled at the true deadline")
    func stallNoticedLateKeepsTrueTime() throws {
        let harness = upAtT0(monitor())
        harness.advance(to: t(3_600))
        // Vigil was down from just after the monitor turned late until the next morning.
        let restart = t(20 * 3_600)
        let decision = harness.advance(to: restart)

        let change = try #require(decision.changes.first)
        #expect(decision.changes.count == 1)
        #expect(change.from == .late)
        #expect(change.to == .stalled)
        #expect(change.at == t(3_900))
        #expect(change.noticedAt == restart)
        #expect(harness.state.since == t(3_900))
        #expect(decision.opened.first?.onset == t(3_600))
        #expect(decision.opened.first?.detectedAt == restart)
    }

    @Test("one advance catches up with up→late→stalled in order, each change at its own time")
    func catchesUpSeveralTransitions() {
        let harness = upAtT0(monitor())
        let now = t(10_000)
        let decision = harness.advance(to: now)

        #expect(decision.changes.map { "\($0.from)→\($0.to)" } == ["up→late", "late→stalled"])
        #expect(decision.changes.map(\.at) == [t(3_600), t(3_900)])
        #expect(decision.changes.map(\.noticedAt) == [now, now])
        #expect(decision.changes.map(\.incidentID) == [nil, IncidentIDs.id(1)])
        // The incident is recorded before the change that names it.
        guard decision.effects.count == 3, case .opened(let incident) = decision.effects[1] else {
            Issue.record("expected late, opened, stalled; got \(decision.effects)")
            return
        }
        #expect(incident.onset == t(3_600))
        #expect(incident.detectedAt == now)
        #expect(harness.ids.issued == 1)
    }

    @Test("with no grace an up monitor goes straight to stalled at the due time")
    func graceZeroStallsAtDue() {
        let harness = upAtT0(monitor(grace: 0))
        #expect(harness.detector.deadline(of: harness.state) == t(3_600))
        #expect(harness.advance(to: t(3_599)).effects.isEmpty)

        let decision = harness.advance(to: t(3_600))
        #expect(decision.changes.map { "\($0.from)→\($0.to)" } == ["up→stalled"])
        #expect(decision.changes.first?.at == t(3_600))
        #expect(decision.opened.first?.onset == t(3_600))
        #expect(harness.state.status == .stalled)
    }

    @Test("a stalled monitor stays stalled with the same incident however much time passes")
    func stalledHasNoFurtherDeadline() {
        let harness = upAtT0(monitor())
        harness.advance(to: t(3_900))
        let decision = harness.advance(to: t(90 * 86_400))
        #expect(decision.effects.isEmpty)
        #expect(harness.state.status == .stalled)
        #expect(harness.state.incident?.id == IncidentIDs.id(1))
        #expect(harness.ids.issued == 1)
    }

    @Test("progress resolves the incident and takes the monitor back up")
    func progressResolvesStall() throws {
        let harness = upAtT0(monitor())
        harness.advance(to: t(3_900))
        let decision = harness.signal(.success, at: t(4_500))

        #expect(decision.changes.map { "\($0.from)→\($0.to)" } == ["stalled→up"])
        #expect(decision.changes.first?.at == t(4_500))
        #expect(decision.changes.first?.incidentID == IncidentIDs.id(1))
        let resolved = try #require(decision.resolved.first)
        #expect(decision.resolved.count == 1)
        #expect(resolved.id == IncidentIDs.id(1))
        #expect(resolved.onset == t(3_600))
        #expect(resolved.detectedAt == t(3_900))
        #expect(resolved.resolvedAt == t(4_500))
        #expect(resolved.resolution == "progress")
        #expect(harness.state.status == .up)
        #expect(harness.state.incident == nil)
        #expect(decision.deadline == t(4_500 + 3_600))
    }

    @Test("progress while late returns to up without an incident")
    func progressWhileLate() {
        let harness = upAtT0(monitor())
        harness.advance(to: t(3_700))
        let decision = harness.signal(.success, at: t(3_800))
        #expect(decision.changes.map { "\($0.from)→\($0.to)" } == ["late→up"])
        #expect(decision.resolved.isEmpty)
        #expect(decision.opened.isEmpty)
        #expect(harness.ids.issued == 0)
        #expect(decision.deadline == t(3_800 + 3_600))
    }

    @Test("a progress ping stamped before the last progress does not move the due time back")
    func outOfOrderProgressKeepsLatestDue() {
        // Two requests race: the later-stamped one is handled first.
        let harness = upAtT0(monitor())
        harness.signal(.success, at: t(1_000))
        let decision = harness.signal(.success, at: t(999))
        #expect(harness.state.lastProgressAt == t(1_000))
        #expect(harness.state.lastSignalAt == t(1_000))
        #expect(decision.deadline == t(4_600))
    }

    // MARK: - Failures

    @Test("fail and a non-zero exit status open a failure incident", arguments: [SignalKind.fail, .exit(1), .exit(137)])
    func failureOpensIncident(kind: SignalKind) {
        let harness = upAtT0(monitor())
        let decision = harness.signal(kind, at: t(600))

        let expected = Incident(
            id: IncidentIDs.id(1), monitorID: Self.monitorID, cause: .failure, onset: t(600), detectedAt: t(600)
        )
        #expect(decision.opened == [expected])
        #expect(decision.changes.map { "\($0.from)→\($0.to)" } == ["up→failing"])
        #expect(decision.changes.first?.incidentID == IncidentIDs.id(1))
        #expect(decision.changes.first?.reason.contains(kind.rawValue) == true)
        #expect(decision.verdict?.isProgress == false)
        #expect(harness.state.status == .failing)
        #expect(harness.state.lastProgressAt == t(0))
        #expect(decision.deadline == nil)
        // Failing waits for progress; time alone neither stalls it nor opens another incident.
        #expect(harness.advance(to: t(86_400)).effects.isEmpty)
        #expect(harness.state.status == .failing)
    }

    @Test("a new monitor that reports failure is failing")
    func failureOnNewMonitor() {
        let harness = DetectorHarness(monitor())
        let decision = harness.signal(.exit(2), at: t(5))
        #expect(decision.changes.map { "\($0.from)→\($0.to)" } == ["new→failing"])
        #expect(decision.opened.map(\.cause) == [.failure])
    }

    @Test("exit status 0 is a success and counts as progress")
    func exitZeroIsProgress() {
        let harness = DetectorHarness(monitor())
        let decision = harness.signal(.exit(0), at: t(0))
        #expect(decision.verdict?.isProgress == true)
        #expect(harness.state.status == .up)
        #expect(harness.ids.issued == 0)
    }

    @Test("another failure while failing changes nothing")
    func repeatedFailure() {
        let harness = upAtT0(monitor())
        harness.signal(.fail, at: t(600))
        let decision = harness.signal(.exit(3), at: t(700))
        #expect(decision.effects.isEmpty)
        #expect(harness.state.status == .failing)
        #expect(harness.state.incident?.id == IncidentIDs.id(1))
        #expect(harness.state.incident?.onset == t(600))
        #expect(harness.state.lastSignalAt == t(700))
    }

    @Test("a failure while stalled keeps the stall's incident")
    func failureWhileStalledKeepsIncident() {
        let harness = upAtT0(monitor())
        harness.advance(to: t(3_900))
        let decision = harness.signal(.fail, at: t(4_000))

        #expect(decision.opened.isEmpty)
        #expect(decision.changes.map { "\($0.from)→\($0.to)" } == ["stalled→failing"])
        #expect(decision.changes.first?.incidentID == IncidentIDs.id(1))
        #expect(harness.state.incident?.id == IncidentIDs.id(1))
        #expect(harness.state.incident?.cause == .stall)
        #expect(harness.state.incident?.onset == t(3_600))
        #expect(harness.ids.issued == 1)

        let recovered = harness.signal(.success, at: t(5_000))
        #expect(recovered.changes.map { "\($0.from)→\($0.to)" } == ["failing→up"])
        #expect(recovered.resolved.map(\.id) == [IncidentIDs.id(1)])
        #expect(recovered.resolved.first?.resolvedAt == t(5_000))
    }

    // MARK: - Runs

    @Test("a run that overruns max_runtime stalls the monitor with cause overrun")
    func overrunStalls() {
        let harness = upAtT0(monitor(maxRuntime: 600))
        let started = harness.signal(.start, at: t(100))
        #expect(started.effects.isEmpty)
        #expect(started.verdict == SignalVerdict(isProgress: false, runDuration: nil))
        #expect(harness.state.isRunning)
        #expect(started.deadline == t(700))

        #expect(harness.advance(to: t(699)).effects.isEmpty)
        let decision = harness.advance(to: t(800))
        let expected = Incident(
            id: IncidentIDs.id(1), monitorID: Self.monitorID, cause: .overrun, onset: t(700), detectedAt: t(800)
        )
        #expect(decision.opened == [expected])
        #expect(decision.changes.map { "\($0.from)→\($0.to)" } == ["up→stalled"])
        #expect(decision.changes.first?.at == t(700))
        #expect(decision.changes.first?.noticedAt == t(800))
        #expect(decision.changes.first?.incidentID == IncidentIDs.id(1))
        #expect(harness.state.status == .stalled)
        #expect(!harness.state.isRunning)
        #expect(decision.deadline == nil)

        // The hung run finally ends: progress resolves the overrun.
        let ended = harness.signal(.success, at: t(900))
        #expect(ended.resolved.map(\.resolution) == ["progress"])
        #expect(harness.state.status == .up)
    }

    @Test("without max_runtime a run may take the grace period")
    func runLimitDefaultsToGrace() {
        let harness = upAtT0(monitor(grace: 300))
        let started = harness.signal(.start, at: t(100))
        #expect(started.deadline == t(400))
        #expect(harness.advance(to: t(399)).effects.isEmpty)
        #expect(harness.advance(to: t(400)).opened.map(\.cause) == [.overrun])
    }

    @Test("the end of a run reports its duration")
    func runDurationInVerdict() {
        let harness = upAtT0(monitor(maxRuntime: 3_000))
        harness.signal(.start, at: t(100))
        let ended = harness.signal(.success, at: t(1_300))
        #expect(ended.verdict == SignalVerdict(isProgress: true, runDuration: 1_200))
        #expect(!harness.state.isRunning)
        #expect(ended.deadline == t(1_300 + 3_600))
    }

    @Test("run ids pair each end with its own start")
    func runIDsMatchPerRun() {
        let runA = UUID(uuidString: "AAAAAAAA-0000-4000-8000-000000000001")!
        let runB = UUID(uuidString: "BBBBBBBB-0000-4000-8000-000000000002")!
        let runC = UUID(uuidString: "CCCCCCCC-0000-4000-8000-000000000003")!
        let harness = upAtT0(monitor(maxRuntime: 1_000))
        harness.signal(.start, at: t(100), runID: runA)
        let second = harness.signal(.start, at: t(200), runID: runB)
        // The oldest run governs the deadline.
        #expect(second.deadline == t(1_100))

        let endB = harness.signal(.success, at: t(250), runID: runB)
        #expect(endB.verdict?.runDuration == 50)
        #expect(harness.state.runs.keys.sorted() == [runA.uuidString])
        #expect(endB.deadline == t(1_100))

        // An end for a run that never started is still a success, but has no duration and ends nothing.
        let unknown = harness.signal(.success, at: t(300), runID: runC)
        #expect(unknown.verdict == SignalVerdict(isProgress: true, runDuration: nil))
        #expect(harness.state.runs.keys.sorted() == [runA.uuidString])

        // A start without a run id is its own run and is not ended by an end that names one.
        harness.signal(.start, at: t(400))
        harness.signal(.success, at: t(500), runID: runC)
        #expect(harness.state.runs.keys.sorted() == ["", runA.uuidString])

        let endA = harness.signal(.exit(1), at: t(700), runID: runA)
        #expect(endA.verdict?.runDuration == 600)
        #expect(harness.state.status == .failing)
        #expect(harness.state.runs.keys.sorted() == [""])

        let endPlain = harness.signal(.success, at: t(800))
        #expect(endPlain.verdict?.runDuration == 400)
        #expect(!harness.state.isRunning)
    }

    @Test("a long run within max_runtime is not a stall, even past the schedule's due time")
    func longRunIsNotAStall() {
        let harness = upAtT0(monitor(grace: 300, maxRuntime: 7_200))
        harness.signal(.start, at: t(3_000))
        // Due at 3 600 and grace ends at 3 900, but the run may go on until 10 200.
        let during = harness.advance(to: t(9_000))
        #expect(during.effects.isEmpty)
        #expect(harness.state.status == .up)
        #expect(during.deadline == t(10_200))

        let ended = harness.signal(.success, at: t(9_500))
        #expect(ended.verdict == SignalVerdict(isProgress: true, runDuration: 6_500))
        #expect(ended.effects.isEmpty)
        #expect(harness.ids.issued == 0)
        #expect(harness.state.status == .up)
        #expect(ended.deadline == t(9_500 + 3_600))
    }

    @Test("a start that restarts a running run restarts its clock")
    func restartedRunRestartsClock() {
        let harness = upAtT0(monitor(maxRuntime: 600))
        harness.signal(.start, at: t(100))
        let again = harness.signal(.start, at: t(500))
        #expect(again.deadline == t(1_100))
        #expect(harness.advance(to: t(1_000)).effects.isEmpty)
    }

    // MARK: - Progress and liveness

    @Test(
        "liveness signals keep a monitor alive but not progressing",
        arguments: [SignalKind.log, SignalKind(rawValue: "heartbeat"), SignalKind(rawValue: "commit")]
    )
    func livenessIsNotProgress(kind: SignalKind) {
        let harness = upAtT0(monitor())
        let decision = harness.signal(kind, at: t(3_000))
        #expect(decision.effects.isEmpty)
        #expect(decision.verdict == SignalVerdict(isProgress: false, runDuration: nil))
        #expect(harness.state.lastSignalAt == t(3_000))
        #expect(harness.state.lastProgressAt == t(0))
        #expect(decision.deadline == t(3_600))

        // It still stalls when progress does not come.
        harness.signal(kind, at: t(3_850))
        harness.advance(to: t(3_900))
        #expect(harness.state.status == .stalled)
    }

    @Test("a start ping is liveness, not progress")
    func startIsNotProgress() {
        let harness = upAtT0(monitor(maxRuntime: 600))
        let decision = harness.signal(.start, at: t(1_000))
        #expect(decision.verdict?.isProgress == false)
        #expect(harness.state.lastSignalAt == t(1_000))
        #expect(harness.state.lastProgressAt == t(0))

        let fresh = DetectorHarness(monitor())
        fresh.signal(.start, at: t(0))
        #expect(fresh.state.status == .new)
        #expect(fresh.state.lastProgressAt == nil)
    }

    @Test("a monitor that counts post.published ignores plain success pings as progress")
    func customProgressKinds() {
        let harness = DetectorHarness(monitor(progress: ["post.published"]))
        let success = harness.signal(.success, at: t(0))
        #expect(success.verdict?.isProgress == false)
        #expect(success.effects.isEmpty)
        #expect(harness.state.status == .new)

        let published = harness.signal(SignalKind(rawValue: "post.published"), at: t(60))
        #expect(published.verdict?.isProgress == true)
        #expect(published.changes.map { "\($0.from)→\($0.to)" } == ["new→up"])
        #expect(published.deadline == t(3_660))

        // The bot keeps saying it ran fine, but nothing is published: it stalls.
        harness.signal(.success, at: t(3_000))
        harness.signal(.exit(0), at: t(3_500))
        #expect(harness.state.lastProgressAt == t(60))
        harness.advance(to: t(3_960))
        #expect(harness.state.status == .stalled)
        #expect(harness.state.incident?.onset == t(3_660))
    }

    @Test("an advancing kind is progress only when its value moves past the last one")
    func advancingKinds() {
        let done = SignalKind(rawValue: "items.done")
        let harness = DetectorHarness(monitor(advancing: ["items.done"]))

        let missing = harness.signal(done, at: t(0))
        #expect(missing.verdict?.isProgress == false)
        #expect(harness.state.status == .new)

        let first = harness.signal(done, at: t(10), value: 5)
        #expect(first.verdict?.isProgress == true)
        #expect(harness.state.status == .up)
        #expect(harness.state.lastValues == ["items.done": 5])

        let same = harness.signal(done, at: t(20), value: 5)
        #expect(same.verdict?.isProgress == false)
        #expect(harness.state.lastSignalAt == t(20))
        #expect(harness.state.lastProgressAt == t(10))

        let moved = harness.signal(done, at: t(30), value: 7)
        #expect(moved.verdict?.isProgress == true)
        #expect(harness.state.lastProgressAt == t(30))

        let noValue = harness.signal(done, at: t(40))
        #expect(noValue.verdict?.isProgress == false)
        #expect(harness.state.lastValues == ["items.done": 7])

        let lower = harness.signal(done, at: t(50), value: 6)
        #expect(lower.verdict?.isProgress == false)
        #expect(harness.state.lastProgressAt == t(30))
        #expect(harness.detector.due(in: harness.state) == t(3_630))

        // A counter stuck at the same value stalls the monitor.
        harness.signal(done, at: t(3_000), value: 6)
        harness.advance(to: t(3_930))
        #expect(harness.state.status == .stalled)
    }

    // MARK: - Paused

    @Test("pausing resolves the open incident and stops all deadlines")
    func pauseResolvesIncident() {
        let harness = upAtT0(monitor())
        harness.advance(to: t(3_900))
        let decision = harness.pause(at: t(5_000))

        #expect(decision.changes.map { "\($0.from)→\($0.to)" } == ["stalled→paused"])
        #expect(decision.changes.first?.at == t(5_000))
        #expect(decision.changes.first?.incidentID == IncidentIDs.id(1))
        #expect(decision.resolved.map(\.id) == [IncidentIDs.id(1)])
        #expect(decision.resolved.first?.resolvedAt == t(5_000))
        #expect(decision.resolved.first?.resolution == "paused")
        #expect(harness.state.status == .paused)
        #expect(harness.state.incident == nil)
        #expect(decision.deadline == nil)
        #expect(harness.detector.deadline(of: harness.state) == nil)

        #expect(harness.advance(to: t(365 * 86_400)).effects.isEmpty)
        #expect(harness.state.status == .paused)
        #expect(harness.ids.issued == 1)
    }

    @Test("pausing an up monitor drops its runs and its deadline; pausing twice does nothing")
    func pauseUp() {
        let harness = upAtT0(monitor(maxRuntime: 600))
        harness.signal(.start, at: t(100))
        let decision = harness.pause(at: t(200))
        #expect(decision.changes.map { "\($0.from)→\($0.to)" } == ["up→paused"])
        #expect(decision.resolved.isEmpty)
        #expect(!harness.state.isRunning)
        #expect(harness.advance(to: t(10_000)).effects.isEmpty)

        let again = harness.pause(at: t(300))
        #expect(again.effects.isEmpty)
        #expect(harness.state.since == t(200))
    }

    @Test("resuming a paused monitor makes it new: it waits for progress without a deadline")
    func resumeMakesNew() {
        let harness = upAtT0(monitor())
        harness.pause(at: t(100))
        let decision = harness.resume(at: t(10_000))
        #expect(decision.changes.map { "\($0.from)→\($0.to)" } == ["paused→new"])
        #expect(decision.changes.first?.at == t(10_000))
        #expect(harness.state.status == .new)
        #expect(decision.deadline == nil)
        #expect(harness.advance(to: t(100_000)).effects.isEmpty)

        let progress = harness.signal(.success, at: t(100_000))
        #expect(progress.changes.map { "\($0.from)→\($0.to)" } == ["new→up"])
        #expect(progress.deadline == t(103_600))

        // Resuming a monitor that is not paused changes nothing.
        #expect(harness.resume(at: t(100_001)).effects.isEmpty)
        #expect(harness.state.status == .up)
    }

    @Test("a start ping resumes a paused monitor, which then watches the run")
    func startResumesPaused() {
        let harness = upAtT0(monitor(maxRuntime: 600))
        harness.pause(at: t(100))
        let decision = harness.signal(.start, at: t(1_000))
        #expect(decision.changes.map { "\($0.from)→\($0.to)" } == ["paused→new"])
        #expect(decision.changes.first?.at == t(1_000))
        #expect(harness.state.isRunning)
        #expect(decision.deadline == t(1_600))
    }

    @Test("a success ping resumes a paused monitor straight to up")
    func successResumesPaused() {
        let harness = upAtT0(monitor())
        harness.pause(at: t(100))
        let decision = harness.signal(.success, at: t(1_000))
        #expect(decision.changes.map { "\($0.from)→\($0.to)" } == ["paused→up"])
        #expect(decision.deadline == t(4_600))
    }

    @Test("a success ping that is not progress still resumes a paused monitor, as new")
    func nonProgressSuccessResumesPaused() {
        let harness = DetectorHarness(monitor(progress: ["post.published"]))
        harness.signal(SignalKind(rawValue: "post.published"), at: t(0))
        harness.pause(at: t(100))
        let decision = harness.signal(.success, at: t(1_000))
        #expect(decision.changes.map { "\($0.from)→\($0.to)" } == ["paused→new"])
        #expect(decision.verdict?.isProgress == false)
        #expect(decision.deadline == nil)
    }

    @Test("a log ping does not resume a paused monitor")
    func logKeepsPaused() {
        let harness = upAtT0(monitor())
        harness.pause(at: t(100))
        let decision = harness.signal(.log, at: t(1_000))
        #expect(decision.effects.isEmpty)
        #expect(harness.state.status == .paused)
        #expect(harness.state.lastSignalAt == t(1_000))
    }

    // MARK: - Schedules

    @Test("a cron schedule is due at its next firing in the monitor's time zone")
    func cronDeadlines() throws {
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let schedule = Schedule.cron(try CronExpression(parsing: "30 2 * * *"), berlin)
        let harness = DetectorHarness(monitor(schedule: schedule, grace: 3_600))

        // The 02:30 run (CEST, 00:30 UTC) reports at 02:41.
        harness.signal(.success, at: try instant("2026-07-01T00:41:00Z"))
        let due = try instant("2026-07-02T00:30:00Z")
        #expect(harness.detector.due(in: harness.state) == due)
        #expect(harness.detector.deadline(of: harness.state) == due)

        // The next night's run never reports.
        let decision = harness.advance(to: try instant("2026-07-02T06:00:00Z"))
        #expect(decision.changes.map(\.at) == [due, try instant("2026-07-02T01:30:00Z")])
        #expect(decision.opened.first?.onset == due)
        #expect(harness.state.status == .stalled)
    }

    @Test("a cron schedule follows the time zone's winter offset")
    func cronDeadlinesInWinter() throws {
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let schedule = Schedule.cron(try CronExpression(parsing: "30 2 * * *"), berlin)
        let harness = DetectorHarness(monitor(schedule: schedule, grace: 600))
        // 02:35 CET is 01:35 UTC.
        let decision = harness.signal(.success, at: try instant("2026-12-01T01:35:00Z"))
        #expect(decision.deadline == (try instant("2026-12-02T01:30:00Z")))
        harness.advance(to: try instant("2026-12-02T01:30:00Z"))
        #expect(harness.state.status == .late)
        #expect(harness.detector.deadline(of: harness.state) == (try instant("2026-12-02T01:40:00Z")))
    }

    @Test("a one-second period is watched to the second")
    func oneSecondPeriod() {
        let harness = upAtT0(monitor(schedule: .every(1), grace: 1))
        #expect(harness.detector.deadline(of: harness.state) == t(1))
        harness.signal(.success, at: t(0.5))
        #expect(harness.detector.deadline(of: harness.state) == t(1.5))

        let decision = harness.advance(to: t(2.5))
        #expect(decision.changes.map { "\($0.from)→\($0.to)" } == ["up→late", "late→stalled"])
        #expect(decision.changes.map(\.at) == [t(1.5), t(2.5)])
        #expect(decision.opened.first?.onset == t(1.5))

        let strict = upAtT0(monitor(schedule: .every(1), grace: 0))
        #expect(strict.advance(to: t(0.999)).effects.isEmpty)
        #expect(strict.advance(to: t(1)).changes.map(\.to) == [.stalled])
    }

    // MARK: - deadline(of:) and due(in:)

    @Test("deadline(of:) names the next timed change of each state; due(in:) the next due progress")
    func deadlineAndDue() {
        let detector = Detector(monitor: monitor(grace: 300, maxRuntime: 900))
        let progressed = t(0)
        func state(_ status: MonitorStatus, runs: [String: Date] = [:]) -> MonitorState {
            MonitorState(status: status, since: progressed, lastProgressAt: progressed, runs: runs)
        }

        #expect(detector.deadline(of: .new(at: progressed)) == nil)
        #expect(detector.due(in: .new(at: progressed)) == nil)
        #expect(detector.deadline(of: state(.up)) == t(3_600))
        #expect(detector.deadline(of: state(.late)) == t(3_900))
        #expect(detector.deadline(of: state(.stalled)) == nil)
        #expect(detector.deadline(of: state(.failing)) == nil)
        #expect(detector.deadline(of: state(.paused)) == nil)
        #expect(detector.deadline(of: state(.up, runs: ["": t(5_000)])) == t(5_900))
        #expect(detector.deadline(of: state(.late, runs: ["b": t(3_700), "a": t(3_650)])) == t(4_550))
        #expect(detector.deadline(of: state(.paused, runs: ["": t(5_000)])) == nil)
        for status in MonitorStatus.allCases {
            #expect(detector.due(in: state(status)) == t(3_600), "due in \(status)")
        }
    }
}
