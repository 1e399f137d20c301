import Foundation
import VigilCore
import VigilEngine

/// A ping URL taken apart: which monitor and what kind of signal.
///
/// The forms, after `/ping/`:
/// `<uuid>[/start|/fail|/log|/<0-255>|/signal/<kind>]` and
/// `<ping key>/<slug>[/start|/fail|/log|/<0-255>|/signal/<kind>]`.
struct PingPath: Hashable {
    enum Failure: Error, Hashable {
        /// No such URL: 404.
        case notFound
        /// A URL of the right shape with a wrong part: 400 with the reason.
        case invalid(String)
    }

    var target: Engine.Target
    var kind: SignalKind

    static func parse(_ segments: [Substring]) -> Result<PingPath, Failure> {
        guard let first = segments.first else { return .failure(.notFound) }
        let target: Engine.Target
        let rest: ArraySlice<Substring>
        if let key = UUID(text: first) {
            target = .key(key)
            rest = segments.dropFirst()
        } else {
            guard segments.count >= 2 else { return .failure(.notFound) }
            target = .slug(pingKey: String(first), slug: String(segments[1]))
            rest = segments.dropFirst(2)
        }
        switch rest.count {
        case 0:
            return .success(PingPath(target: target, kind: .success))
        case 1:
            return suffix(rest[rest.startIndex]).map { PingPath(target: target, kind: $0) }
        case 2 where rest[rest.startIndex] == "signal":
            let name = String(rest[rest.startIndex + 1])
            guard SignalKind.isValidTypedName(name) else {
                if SignalKind.reserved.contains(name) {
                    return .failure(.invalid("\(name) is a ping of its own: use /ping/…/\(name == "success" ? "" : name)"))
                }
                return .failure(.invalid(
                    "signal kind \"\(name)\" is not valid: use lowercase letters, digits and . _ - :, "
                        + "at most 64, e.g. commit or post.published"
                ))
            }
            return .success(PingPath(target: target, kind: SignalKind(rawValue: name)))
        default:
            return .failure(.notFound)
        }
    }

    private static func suffix(_ text: Substring) -> Result<SignalKind, Failure> {
        switch text {
        case "start": return .success(.start)
        case "fail": return .success(.fail)
        case "log": return .success(.log)
        default:
            guard !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) else {
                return .failure(.notFound)
            }
            guard let status = Int(text), (0...255).contains(status) else {
                return .failure(.invalid("exit status \(text) is out of range: use 0-255"))
            }
            return .success(.exit(status))
        }
    }
}
