import Foundation

/// A webhook body with `{{placeholders}}` for a notice's fields, e.g. `{"text": "{{monitor}} is {{new_state}}"}`.
///
/// A template whose first character is `{` (not `{{`) or `[` is JSON: the values are JSON-escaped so the body stays valid
/// JSON; any other template is sent as plain text with the values as they are.
public struct NoticeTemplate: Sendable, Hashable {
    private enum Part: Sendable, Hashable {
        case text(String)
        case field(String)
    }

    /// The placeholders a template may use.
    public static let fields = [
        "monitor", "monitor_id", "event", "old_state", "new_state", "reason", "incident_id", "ping_url", "at",
        "noticed_at", "onset", "tags",
    ]

    /// The template as written.
    public let text: String
    /// True when the body is JSON: the template starts with `{` (not a placeholder) or `[`.
    public let isJSON: Bool
    private let parts: [Part]

    /// Parses a template; throws a message naming the first unknown or unclosed placeholder.
    public init(_ text: String) throws(NoticeTemplateError) {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw NoticeTemplateError(message: "has a \"{{\" without \"}}\" — write placeholders as {{monitor}}")
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard Self.fields.contains(name) else {
                throw NoticeTemplateError(
                    message: "uses an unknown placeholder {{\(name)}} — known: "
                        + Self.fields.map { "{{\($0)}}" }.joined(separator: ", ")
                )
            }
            parts.append(.field(name))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.text = text
        self.parts = parts
        // `{{monitor}} is down` starts with a placeholder, not with a JSON object.
        let trimmed = text.drop { $0.isWhitespace }
        self.isJSON = trimmed.hasPrefix("[") || (trimmed.hasPrefix("{") && !trimmed.hasPrefix("{{"))
    }

    /// The body for one notice; a field without a value (no incident yet) is empty.
    public func render(_ payload: NoticePayload) -> String {
        var output = ""
        for part in parts {
            switch part {
            case .text(let text):
                output += text
            case .field(let name):
                let value = Self.value(of: name, in: payload)
                output += isJSON ? Self.jsonEscaped(value) : value
            }
        }
        return output
    }

    static func value(of field: String, in payload: NoticePayload) -> String {
        switch field {
        case "monitor": payload.monitor
        case "monitor_id": payload.monitorID
        case "event": payload.event
        case "old_state": payload.oldState
        case "new_state": payload.newState
        case "reason": payload.reason
        case "incident_id": payload.incidentID ?? ""
        case "ping_url": payload.pingURL
        case "at": VigilJSON.format(payload.at)
        case "noticed_at": VigilJSON.format(payload.noticedAt)
        case "onset": payload.onset.map(VigilJSON.format) ?? ""
        case "tags": payload.tags.joined(separator: ",")
        default: ""
        }
    }

    /// The text as it goes between the quotes of a JSON string.
    static func jsonEscaped(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            // U+2028 and U+2029 are valid JSON but break JavaScript that evals it.
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                output += String(format: "\\u%04x", scalar.value)
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}

/// Why a webhook template cannot be used.
public struct NoticeTemplateError: Error, Sendable, CustomStringConvertible {
    /// Continues "template …": `uses an unknown placeholder {{x}} — known: …`.
    public var message: String
    public var description: String { "template \(message)" }
}
