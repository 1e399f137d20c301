import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import VigilEngine

/// A JSON value as the healthchecks.io API reads and writes it: read strictly, so that a value of the wrong type is
/// named in the error instead of being coerced, and written with exactly the keys a response has.
enum HealthchecksJSON: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([HealthchecksJSON])
    case object([String: HealthchecksJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Bool before numbers: the decoder never reads `1` as true, nor `true` as 1.
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([HealthchecksJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: HealthchecksJSON].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// A string, or `null` when there is none.
    static func optional(_ text: String?) -> HealthchecksJSON {
        text.map(HealthchecksJSON.string) ?? .null
    }

    /// An integer number of seconds, as healthchecks.io writes `timeout` and `grace`.
    static func seconds(_ interval: TimeInterval) -> HealthchecksJSON {
        .integer(Int64(interval.rounded(.down)))
    }
}

/// A refusal in the healthchecks.io shape, `{"error": "..."}`, with its status.
struct HealthchecksError: Error, Sendable {
    var status: HTTPResponse.Status
    var message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    /// A field that breaks the schema: `json validation error: timeout is too small (...)`, as healthchecks.io
    /// words it, so that scripts matching its text keep working.
    static func invalid(_ field: String, _ problem: String) -> HealthchecksError {
        HealthchecksError(.badRequest, "json validation error: \(field) \(problem)")
    }

    /// No check has this identifier.
    static func notFound(_ identifier: String) -> HealthchecksError {
        HealthchecksError(.notFound, "not found: no check has the uuid or unique_key \(identifier)")
    }

    /// The call needs a read-write key; healthchecks.io answers a read-only one as if the key were wrong.
    static let readOnly = HealthchecksError(.unauthorized, "wrong api key")

    var response: Response { ErrorBody.healthchecks(status, message) }
}

/// Responses of the healthchecks.io API: compact JSON, as it sends them.
enum HealthchecksResponse {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func json(_ value: HealthchecksJSON) -> Response {
        json(.ok, value)
    }

    static func json(_ status: HTTPResponse.Status, _ value: HealthchecksJSON) -> Response {
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    static func text(_ text: String) -> Response {
        self.text(.ok, text)
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }

    /// Runs a handler, turning its refusals into `{"error": "..."}` responses of the healthchecks.io shape.
    static func answer(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as HealthchecksError {
            return error.response
        } catch let error as EngineError {
            return ErrorBody.healthchecks(error.httpStatus, error.message)
        } catch let error as HTTPError {
            return ErrorBody.healthchecks(error.status, error.body ?? "\(error.status.reasonPhrase.lowercased())")
        } catch {
            return ErrorBody.healthchecks(.internalServerError, "internal error: \(error)")
        }
    }
}

/// The timestamps healthchecks.io writes: ISO 8601 in UTC with an explicit offset, `2020-03-24T14:02:03+00:00`.
enum HealthchecksTime {
    private static let style = Date.ISO8601FormatStyle(timeZone: .gmt)

    /// Whole seconds, as check fields and flips have them.
    static func seconds(_ date: Date) -> String {
        offset(Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)).formatted(style))
    }

    /// Microseconds, as pings have them; none written when they are zero, as Python's `isoformat` does.
    static func microseconds(_ date: Date) -> String {
        let whole = date.timeIntervalSince1970.rounded(.down)
        let micro = Int(((date.timeIntervalSince1970 - whole) * 1_000_000).rounded(.down))
        let text = Date(timeIntervalSince1970: whole).formatted(style)
        guard micro > 0, text.hasSuffix("Z") else { return offset(text) }
        let digits = String(micro)
        return String(text.dropLast()) + "." + String(repeating: "0", count: 6 - digits.count) + digits + "+00:00"
    }

    static func optional(_ date: Date?) -> HealthchecksJSON {
        date.map { .string(seconds($0)) } ?? .null
    }

    private static func offset(_ text: String) -> String {
        text.hasSuffix("Z") ? String(text.dropLast()) + "+00:00" : text
    }
}
