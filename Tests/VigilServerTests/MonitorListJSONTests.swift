import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VigilCore
import VigilEngine
@testable import VigilServer

/// The monitor list is written by hand for speed; it must stay exactly what Foundation's pretty encoder made of the
/// same `MonitorView`s, so that scripts, `vigil status --json` and the documented examples keep working.
@Suite struct MonitorListJSONTests {
    /// What the list route answered before it was written by hand: the views, encoded by `VigilJSON.prettyEncoder`.
    static func encoded(
        _ snapshots: [Engine.Snapshot], access: AccessLevel?, calibration: (UUID) -> String? = { _ in nil }
    ) throws -> [UInt8] {
        let views = snapshots.map { snapshot in
            var view = MonitorView(snapshot)
            view.calibration = calibration(snapshot.monitor.id)
            return view.visible(to: access)
        }
        return Array(try VigilJSON.prettyEncoder.encode(views))
    }

    /// Both byte for byte and, so that a failure shows what differs, as parsed JSON.
    static func expectSame(
        _ written: [UInt8], _ encoded: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let parsedWritten = try JSONSerialization.jsonObject(with: Data(written)) as? NSArray
        let parsedEncoded = try JSONSerialization.jsonObject(with: Data(encoded)) as? NSArray
        #expect(parsedWritten != nil && parsedWritten == parsedEncoded, sourceLocation: sourceLocation)
        #expect(
            written == encoded,
            """
            written:
            \(String(decoding: written.prefix(3_000), as: UTF8.self))
            encoded:
            \(String(decoding: encoded.prefix(3_000), as: UTF8.self))
            """,
            sourceLocation: sourceLocation
        )
    }

    /// Monitors in every shape the list shows: declared and created, cron with a zone, running, failing with an
    /// incident, paused, never pinged, and text that needs escaping.
    static func withVariedMonitors(
        _ body: @Sendable (PingAPI, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await ManagementAPITests.withAPI { api, client in
            let write = ManagementAPITests.headers(ManagementAPITests.writeKey, json: true)
            let bodies = [
                #"{"slug": "etl", "name": "Nightly \"ETL\" \\ loader", "every": "1d", "grace": 600, "#
                    + #""tags": ["data", "wärme"]}"#,
                #"{"slug": "cron-berlin", "schedule": "30 2 * * *", "tz": "Europe/Berlin", "#
                    + #""desc": "line\nbreak\ttab\u0001\u001f/slash é 😀 \u2028"}"#,
                #"{"slug": "runner", "every": "90m", "desc": "<b>&amp;</b>"}"#,
                #"{"slug": "broken", "every": "4h", "tags": []}"#,
                #"{"slug": "resting", "every": "7d"}"#,
                #"{"slug": "quiet", "every": "5m", "name": ""}"#,
            ]
            for text in bodies {
                let created = try await client.execute(
                    uri: "/api/v1/monitors", method: .post, headers: write, body: ByteBuffer(string: text)
                )
                #expect(created.status == .created, "\(text): \(String(buffer: created.body))")
            }
            try await client.ping("/ping/\(try api.key("etl"))", expect: .ok, limit: 1_000)
            try await client.ping("/ping/\(try api.key("cron-berlin"))", expect: .ok, limit: 1_000)
            try await client.ping("/ping/\(try api.key("declared"))", expect: .ok, limit: 1_000)
            try await client.ping("/ping/\(try api.key("runner"))/start", expect: .ok, limit: 1_000)
            try await client.ping("/ping/\(try api.key("broken"))/fail", expect: .ok, limit: 1_000)
            let paused = try await client.execute(uri: "/api/v1/monitors/resting/pause", method: .post, headers: write)
            #expect(paused.status == .ok)
            try await body(api, client)
        }
    }

    @Test func theListRouteAnswersWhatTheEncoderMadeForEveryKindOfKey() async throws {
        try await Self.withVariedMonitors { api, client in
            let snapshots = api.engine.snapshots()
            // The monitors really are in the states this test means to cover.
            #expect(snapshots.contains { $0.state.incident != nil }, "no monitor has an open incident")
            #expect(snapshots.contains { $0.state.isRunning }, "no monitor is running")
            #expect(snapshots.contains { $0.state.status == .paused }, "no monitor is paused")
            #expect(snapshots.contains { $0.state.lastProgressAt == nil }, "every monitor has progressed")
            let keys = [(ManagementAPITests.writeKey, AccessLevel.readWrite), (ManagementAPITests.readKey, .readOnly)]
            for (key, access) in keys {
                let list = try await client.execute(
                    uri: "/api/v1/monitors", method: .get, headers: ManagementAPITests.headers(key)
                )
                #expect(list.status == .ok)
                #expect(list.headers[.contentType] == "application/json")
                try Self.expectSame(Array(buffer: list.body), try Self.encoded(api.engine.snapshots(), access: access))
            }
        }
    }

    @Test func aCalibratedDeadlineIsExplainedAsTheEncoderExplainedIt() async throws {
        try await Self.withVariedMonitors { api, _ in
            let snapshots = api.engine.snapshots()
            let explained = Set(
                snapshots.filter { $0.monitor.slug.hasPrefix("c") || $0.monitor.slug == "quiet" }.map(\.monitor.id))
            let reason: (UUID) -> String? = { id in
                explained.contains(id) ? "progress came every 24h ± 3m over 30 days; \"late\" after 25h\n(p99)" : nil
            }
            try Self.expectSame(
                Array(buffer: MonitorView.listJSON(snapshots, visibleTo: .readWrite, calibration: reason)),
                try Self.encoded(snapshots, access: .readWrite, calibration: reason)
            )
        }
    }

    @Test func anEmptyListIsWrittenAsTheEncoderWroteIt() throws {
        let written = Array(buffer: MonitorView.listJSON([], visibleTo: .readWrite) { _ in nil })
        #expect(written == Array(try VigilJSON.prettyEncoder.encode([MonitorView]())))
        #expect(String(decoding: written, as: UTF8.self) == "[\n\n]")
    }

    @Test func stringsAreEscapedAsTheEncoderEscapesThem() throws {
        let every = String(String.UnicodeScalarView((0..<0x80).compactMap(Unicode.Scalar.init)))
        let texts = [every, "", "plain", "é 😀 \u{2028}\u{FEFF} 中文", "a\"b\\c/d", "\u{7F}\u{80}\u{10FFFF}"]
        var writer = JSONWriter()
        writer.write(atMost: 100_000) { json in
            json.beginArray()
            for text in texts { json.string(text) }
            json.beginArray()
            json.endArray()
            json.beginArray()
            json.string(nil)
            json.endArray()
            json.endArray()
        }
        struct Nested: Encodable {
            var texts: [String]
            func encode(to encoder: any Encoder) throws {
                var container = encoder.unkeyedContainer()
                for text in texts { try container.encode(text) }
                try container.encode([String]())
                try container.encode([String?.none])
            }
        }
        #expect(writer.bytes == Array(try VigilJSON.prettyEncoder.encode(Nested(texts: texts))))
    }

    /// Times are written without Foundation where the result is certain; elsewhere Foundation writes them.
    @Test func timesAreWrittenAsVigilJSONFormatsThem() {
        var generator = SplitMix(seed: 0x5EED)
        var dates: [Date] = [
            Date(timeIntervalSinceReferenceDate: 0), Date(timeIntervalSinceReferenceDate: -0.001),
            Date(timeIntervalSinceReferenceDate: 0.0006), Date(timeIntervalSinceReferenceDate: 0.9999),
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -1.5), Date(timeIntervalSince1970: 1e11),
            Date(timeIntervalSince1970: 951_782_400.5), Date(timeIntervalSince1970: 4_107_542_399.999),
            Date(timeIntervalSince1970: 253_402_300_799.999), Date(),
        ]
        for _ in 0..<20_000 {
            let now = 1_796_000_000 + Double(generator.next() % 400_000_000) - 200_000_000
            let fraction = Double(generator.next() % 1_000_000_000) / 1e9
            dates.append(Date(timeIntervalSince1970: now + fraction))
            // Whole milliseconds, as a stored time often is, and whole seconds, as a cron time is.
            dates.append(Date(timeIntervalSince1970: now + Double(generator.next() % 1_000) / 1_000))
            dates.append(Date(timeIntervalSince1970: now))
            // Leap days and year ends over four centuries.
            dates.append(Date(timeIntervalSinceReferenceDate: Double(generator.next() % 12_622_780_800) + fraction))
        }
        var mismatches: [String] = []
        for date in dates {
            var writer = JSONWriter()
            writer.write(atMost: JSONWriter.roomPerValue) { $0.date(date) }
            let expected = "\"\(VigilJSON.format(date))\""
            let written = String(decoding: writer.bytes, as: UTF8.self)
            if written != expected { mismatches.append("\(date.timeIntervalSince1970): \(written) ≠ \(expected)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(dates.count): \(mismatches.prefix(5))")
    }
}

/// A small seeded generator, so that a failing date can be found again.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
