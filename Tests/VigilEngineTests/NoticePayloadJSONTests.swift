import Foundation
import Testing

@testable import VigilEngine

/// The webhook body is written by hand for speed; it must stay byte for byte what `JSONEncoder` writes.
@Suite("Notice payload JSON")
struct NoticePayloadJSONTests {
    /// Every ASCII character, quotes, backslashes, slashes and characters beyond ASCII.
    static let awkward = String((0..<128).map { Character(Unicode.Scalar(UInt8($0))) }) + "é 日本 🚨 \u{2028} </script>"

    @Test("the hand-written body equals JSONEncoder's, with and without the optional fields")
    func sameBytesAsJSONEncoder() throws {
        let at = Date(timeIntervalSince1970: 1_800_000_000.123)
        let full = NoticePayload(
            event: "state_changed", monitor: "nightly-backup", monitorID: UUID().uuidString.lowercased(),
            oldState: "late", newState: "stalled", at: at, noticedAt: at.addingTimeInterval(0.0456),
            onset: at.addingTimeInterval(-600), incidentID: UUID().uuidString.lowercased(),
            reason: Self.awkward, pingURL: "http://127.0.0.1:8080/ping/\(UUID().uuidString.lowercased())",
            tags: ["prod", Self.awkward, ""])
        var bare = full
        bare.onset = nil
        bare.incidentID = nil
        bare.tags = []
        bare.reason = ""
        for payload in [full, bare] {
            let expected = try VigilJSON.encoder.encode(payload)
            #expect(payload.json == expected, "\(String(decoding: payload.json, as: UTF8.self))")
            #expect(try VigilJSON.decoder.decode(NoticePayload.self, from: payload.json).reason == payload.reason)
        }
    }
}
