import Foundation
import HTTPTypes
import VigilCore
import VigilEngine

/// A ping taken apart before its body is read: which monitor, what kind of signal and what the query adds.
struct PingRequest {
    var path: PingPath
    var runID: UUID?
    var value: Double?
    /// `?create=1`: make the monitor if the slug is unknown.
    var create: Bool

    /// Parses the path after `/ping/` (or the root) and the query; a failure is the answer to send.
    static func parse(_ segments: [Substring], query: (String) -> Substring?) -> Result<PingRequest, PingAnswer> {
        let path: PingPath
        switch PingPath.parse(segments) {
        case .success(let parsed): path = parsed
        case .failure(.notFound): return .failure(.notFound)
        case .failure(.invalid(let reason)): return .failure(PingAnswer(.badRequest, reason))
        }
        var request = PingRequest(path: path, runID: nil, value: nil, create: false)
        if let rid = query("rid") {
            guard let parsed = UUID(uuidString: String(rid)) else {
                return .failure(PingAnswer(
                    .badRequest, "rid \"\(rid)\" is not a UUID: use e.g. \(UUID().uuidString.lowercased())"))
            }
            request.runID = parsed
        }
        if let text = query("value") {
            guard let parsed = Double(String(text)), parsed.isFinite else {
                return .failure(PingAnswer(.badRequest, "value \"\(text)\" is not a number: use e.g. value=3 or value=0.25"))
            }
            request.value = parsed
        }
        request.create = query("create").map { $0 == "1" || $0 == "true" } ?? false
        return .success(request)
    }

    /// The ping a request target (`/ping/<uuid or ping key/slug>…` or `/<uuid>…`, with its query) asks for, when
    /// the paths ahead of the router may answer it: nil for anything else, for a ping that asks to create its monitor,
    /// and for a target with escapes, empty segments or a trailing slash, which the router judges and answers.
    static func plain(target: String) -> PingRequest? {
        // The shape nearly every ping has, `/ping/<uuid>`, read without taking the target apart.
        let bare = target.utf8.withContiguousStorageIfAvailable { bytes -> UUID? in
            guard bytes.count == 42, bytes.starts(with: "/ping/".utf8) else { return nil }
            return UUID.parse(utf8: UnsafeBufferPointer(rebasing: bytes[6...]))
        }
        if let key = bare ?? nil {
            return PingRequest(path: PingPath(target: .key(key), kind: .success), runID: nil, value: nil, create: false)
        }
        let bytes = target.utf8
        guard bytes.first == UInt8(ascii: "/"), !bytes.contains(UInt8(ascii: "%")) else { return nil }
        let queryStart = bytes.firstIndex(of: UInt8(ascii: "?"))
        let path = target[..<(queryStart ?? target.endIndex)]
        var previous: UInt8 = 0
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/"), previous == byte { return nil }
            previous = byte
        }
        guard previous != UInt8(ascii: "/") else { return nil }
        var segments = path.split(separator: "/")
        if segments.first == "ping" {
            segments.removeFirst()
        } else if segments.first.flatMap({ UUID(text: $0) }) == nil {
            return nil
        }
        let query = queryStart.map { target[target.index(after: $0)...] } ?? ""
        guard case .success(let ping) = parse(segments, query: { Self.first($0, in: query) }), !ping.create else {
            return nil
        }
        return ping
    }

    /// The value of the first `name=value` pair in a query without escapes; a name without `=` has the empty value.
    private static func first(_ name: String, in query: Substring) -> Substring? {
        for pair in query.split(separator: "&") {
            guard let equals = pair.firstIndex(of: "=") else {
                if pair == name { return "" }
                continue
            }
            if pair[..<equals] == name { return pair[pair.index(after: equals)...] }
        }
        return nil
    }
}

/// What a ping is answered with: a status and a short plain text, as healthchecks.io answers.
struct PingAnswer: Error {
    var status: HTTPResponse.Status
    var text: String
    /// Seconds until a rate-limited monitor takes pings again.
    var retryAfter: Int?

    init(_ status: HTTPResponse.Status, _ text: String, retryAfter: Int? = nil) {
        self.status = status
        self.text = text
        self.retryAfter = retryAfter
    }

    static let ok = PingAnswer(.ok, "OK")
    static let created = PingAnswer(.created, "Created")
    static let notFound = PingAnswer(.notFound, "not found")

    static let bodyLimitHeader = HTTPField.Name("Ping-Body-Limit")!

    /// The answer to a ping the engine refused.
    init(refusal error: EngineError) {
        switch error.code {
        case .notFound: self.init(.notFound, "not found")
        case .ambiguous: self.init(.conflict, "ambiguous slug")
        case .invalid, .conflict, .declared: self.init(.badRequest, error.message)
        case .notDurable: self.init(.serviceUnavailable, error.message)
        case .rateLimited(let retryAfter):
            self.init(.tooManyRequests, error.message, retryAfter: Int(retryAfter.rounded(.up)))
        }
    }

    /// The answer's header fields, without those of the transport (length, date, server).
    func fields(bodyLimit: Int) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[Self.bodyLimitHeader] = String(bodyLimit)
        headers[.accessControlAllowOrigin] = "*"
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return headers
    }
}
