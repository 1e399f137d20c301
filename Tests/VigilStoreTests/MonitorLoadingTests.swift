import Foundation
import Synchronization
import Testing
import VigilCore

@testable import VigilStore

@Suite("Loading monitors")
struct MonitorLoadingTests {
    private final class Received: Sendable {
        let expected = Mutex<Int?>(nil)
        let items = Mutex<[StoredMonitor]>([])
    }

    @Test("streaming hands over every monitor that is not archived, in the order they were added, after the count")
    func streaming() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"))
        let monitors = (0..<50).map { index in
            Monitor(
                id: UUID(), key: UUID(), slug: "m-\(49 - index)", schedule: .every(60), grace: 5,
                tags: index % 2 == 0 ? ["even"] : [], origin: .api, name: index == 3 ? "Third" : ""
            )
        }
        for (index, monitor) in monitors.enumerated() {
            try await store.saveMonitor(monitor, initialState: .new(at: Date(timeIntervalSince1970: Double(index))))
        }
        try await store.archiveMonitor(id: monitors[7].id)
        let received = Received()
        try await store.loadMonitors(
            expecting: { count in received.expected.withLock { $0 = count } },
            each: { item in
                // The count arrives before the first monitor.
                if received.expected.withLock({ $0 }) == nil { return }
                received.items.withLock { $0.append(item) }
            }
        )
        let streamed = received.items.withLock { $0 }
        #expect(received.expected.withLock { $0 } == 49)
        #expect(streamed.map(\.monitor) == monitors.enumerated().filter { $0.offset != 7 }.map(\.element))
        #expect(Set(streamed) == Set(try await store.loadMonitors()))
    }

    @Test("states whose rows were not added alongside their monitors' are still found, each with its own monitor")
    func unpairedStates() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"))
        var expected: [StoredMonitor] = []
        for index in 0..<20 {
            let monitor = Monitor(id: UUID(), key: UUID(), slug: "m-\(index)", schedule: .every(60), grace: 5)
            let state = MonitorState.new(at: Date(timeIntervalSince1970: 1_000 + Double(index)))
            try await store.saveMonitor(monitor, initialState: state)
            expected.append(StoredMonitor(monitor: monitor, state: state))
        }
        // Rewrite the states in another order, so that no state keeps the rowid of its monitor.
        try await store.pool.write { db in
            try db.execute(
                sql: """
                    CREATE TEMP TABLE shuffled AS SELECT * FROM monitor_state;
                    DELETE FROM monitor_state;
                    INSERT INTO monitor_state SELECT * FROM shuffled ORDER BY since DESC;
                    """)
        }
        let received = Received()
        try await store.loadMonitors(expecting: { _ in }, each: { item in received.items.withLock { $0.append(item) } })
        #expect(received.items.withLock { $0 } == expected)
        #expect(try await store.loadMonitors() == expected)
    }

    @Test("a UUID's text reads as Foundation reads it, in either case, and anything else is refused")
    func uuidText() {
        for _ in 0..<200 {
            let uuid = UUID()
            #expect(SQLiteStore.uuid(uuid.uuidString) == uuid)
            #expect(SQLiteStore.uuid(uuid.uuidString.lowercased()) == uuid)
        }
        let good = "E621E1F8-C36C-495A-93FC-0C247A3E6E5F"
        #expect(SQLiteStore.uuid(good) == UUID(uuidString: good))
        for bad in [
            "", "E621E1F8-C36C-495A-93FC-0C247A3E6E5", "E621E1F8-C36C-495A-93FC-0C247A3E6E5FF",
            "E621E1F8XC36C-495A-93FC-0C247A3E6E5F", "G621E1F8-C36C-495A-93FC-0C247A3E6E5F",
            "E621E1F8-C36C-495A-93FC-0C247A3E6E5é", nil,
        ] as [String?] {
            #expect(SQLiteStore.uuid(bad) == nil, "\(bad ?? "nil")")
        }
    }
}
