import ArgumentParser
import Foundation
import NIOCore
import VigilEngine
import VigilServer

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "List the monitors of a running server: state, last progress, next deadline, ping URL."
    )

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    @OptionGroup var client: ClientOptions

    func run() async throws {
        if json {
            try await printJSON()
        } else {
            let monitors: [MonitorView] = try await client.fetch("/api/v1/monitors", what: "a monitor list")
            print(Table.render(monitors, now: Date(), colour: Terminal.wantsColour))
        }
    }

    /// Copies the server's list to standard output as it arrives: it is already the pretty-printed JSON this command
    /// prints, and decoding and encoding 10 000 monitors again took most of a second.
    private func printJSON() async throws {
        let reply: VigilClient.Reply
        do {
            reply = try await client.client.get("/api/v1/monitors", streamingTo: StandardOutput.write)
        } catch {
            guard case .unreachable(let message) = error else { throw error }
            throw failure(message, status: ExitStatus.unreachable)
        }
        switch reply.status {
        case 200 where reply.streamed:
            print()
        case 200:
            throw failure("the server's answer is not a monitor list — is \(client.serverURL) a Vigil server of this "
                + "version?", status: ExitStatus.refused)
        default:
            throw failure("the server answered \(reply.status): \(reply.body)", status: ExitStatus.refused)
        }
    }
}

/// Standard output without a buffer, for bytes passed on as they arrive.
enum StandardOutput {
    /// Writes all of `bytes`, or stops at the first error (a closed pipe, say), as `print` would.
    static func write(_ bytes: UnsafeRawBufferPointer) {
        guard var next = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let written = Foundation.write(STDOUT_FILENO, next, left)
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            next += written
            left -= written
        }
    }
}

/// Whether to colour what goes to standard output.
enum Terminal {
    static var wantsColour: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }
}

/// The `vigil status` table.
enum Table {
    static func render(_ monitors: [MonitorView], now: Date, colour: Bool) -> String {
        guard !monitors.isEmpty else { return "No monitors. Declare some in vigil.yml, or ping a slug with ?create=1." }
        let header = ["MONITOR", "STATE", "LAST PROGRESS", "NEXT DEADLINE", "PING URL"]
        let rows = monitors.map { monitor in
            [
                monitor.slug,
                monitor.state + (monitor.running ? " (running)" : ""),
                monitor.lastProgress.map { relative($0, to: now) } ?? "never",
                monitor.nextDeadline.map { relative($0, to: now) } ?? "—",
                monitor.pingURL ?? "(hidden from read-only keys)",
            ]
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String], state: String?) -> String {
            cells.enumerated().map { column, cell in
                let padded = cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                guard column == 1, colour, let state else { return padded }
                return paint(padded, state: state)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var lines = [line(header, state: nil)] + zip(rows, monitors).map { line($0, state: $1.state) }
        // A learned deadline explains itself wherever it is shown.
        let explained = monitors.compactMap { monitor in monitor.calibration.map { "  \(monitor.slug): \($0)" } }
        if !explained.isEmpty { lines += ["", "Calibrated deadlines:"] + explained }
        return lines.joined(separator: "\n")
    }

    static func relative(_ date: Date, to now: Date) -> String {
        let seconds = Int(date.timeIntervalSince(now).rounded())
        let magnitude = abs(seconds)
        if magnitude == 0 { return "now" }
        let text = switch magnitude {
        case ..<60: "\(magnitude)s"
        case ..<3600: "\(magnitude / 60)m"
        case ..<86_400: "\(magnitude / 3600)h\(magnitude % 3600 / 60 > 0 ? "\(magnitude % 3600 / 60)m" : "")"
        default: "\(magnitude / 86_400)d"
        }
        return seconds >= 0 ? "in \(text)" : "\(text) ago"
    }

    private static func paint(_ text: String, state: String) -> String {
        let code = switch state {
        case "up": "32"
        case "late": "33"
        case "stalled", "failing": "31"
        case "paused": "90"
        default: "36"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}
