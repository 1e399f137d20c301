import ArgumentParser
import Foundation
import VigilCore
import VigilEngine
import VigilServer

struct Incidents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incidents",
        abstract: "List incidents, or show one with its diagnosis, attempts and timeline.",
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The newest incidents.")

        @Option(help: "Only this monitor's incidents (slug or key).") var monitor: String?
        @Option(help: "How many.") var limit: Int = 20
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var client: ClientOptions

        func run() async throws {
            var path = "/api/v1/incidents?limit=\(limit)"
            if let monitor { path += "&monitor=\(monitor)" }
            let body = try await client.fetch(path)
            if json { print(body); return }
            let incidents = try VigilJSON.decoder.decode([IncidentView].self, from: Data(body.utf8))
            guard !incidents.isEmpty else { print("No incidents."); return }
            let now = Date()
            let rows = incidents.map { incident in
                [
                    String(incident.id.prefix(8)), incident.monitor, incident.cause,
                    Table.relative(incident.onset, to: now),
                    incident.resolvedAt == nil ? "open" : "resolved (\(incident.resolution ?? "?"))",
                    incident.timeToRecover.map { DurationText.seconds($0) } ?? "—",
                ]
            }
            print(Table.grid(["ID", "MONITOR", "CAUSE", "ONSET", "STATUS", "TIME TO RECOVER"], rows))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "One incident: diagnosis, attempts, timeline.")

        @Argument(help: "The incident's id, or its first 6 or more characters.") var id: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let body = try await client.fetch("/api/v1/incidents/\(id)")
            if json { print(body); return }
            let detail = try VigilJSON.decoder.decode(IncidentDetailView.self, from: Data(body.utf8))
            let incident = detail.incident
            var lines = [
                "incident \(incident.id)",
                "monitor   \(incident.monitor)",
                "cause     \(incident.cause)",
                "onset     \(VigilJSON.format(incident.onset))",
                "detected  \(VigilJSON.format(incident.detectedAt)) (after \(DurationText.seconds(incident.timeToDetect)))",
            ]
            if let resolved = incident.resolvedAt {
                lines.append("resolved  \(VigilJSON.format(resolved)) by \(incident.resolution ?? "?")"
                    + " (time to recover \(DurationText.seconds(incident.timeToRecover ?? 0)))")
            } else {
                lines.append("status    open")
            }
            if let at = detail.acknowledgedAt {
                lines.append("acked     \(VigilJSON.format(at)) by \(detail.acknowledgedBy ?? "?")")
            }
            if let diagnosis = detail.diagnosis {
                lines.append("")
                lines.append("diagnosis (\(VigilJSON.format(diagnosis.at)))")
                for blocked in diagnosis.blocked {
                    let by = blocked.blockedBy.map { " — blocked by \($0)" } ?? ""
                    lines.append("  blocked    \(blocked.capability): \(blocked.reason)\(by)")
                }
                for name in diagnosis.available { lines.append("  available  \(name)") }
                if !diagnosis.rootCauses.isEmpty {
                    lines.append("  root cause \(diagnosis.rootCauses.joined(separator: ", "))")
                }
            }
            if !detail.attempts.isEmpty {
                lines.append("")
                lines.append("attempts")
                for attempt in detail.attempts {
                    lines.append("  \(attempt.number). \(attempt.action): \(attempt.status ?? "running")"
                        + "\(attempt.code.map { " (\($0))" } ?? ""), \(attempt.result)")
                }
            }
            lines.append("")
            lines.append("timeline")
            for entry in detail.timeline {
                let change = entry.to.map { " \(entry.from ?? "?") → \($0)" } ?? ""
                lines.append("  \(VigilJSON.format(entry.at))  \(entry.event)\(change)  \(entry.detail)")
            }
            print(lines.joined(separator: "\n"))
        }
    }
}

struct Ack: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Acknowledge an open incident: escalation stops, recovery goes on."
    )

    @Argument(help: "The incident's id, or its first 6 or more characters.") var id: String
    @Option(help: "Who acknowledges it (default: $USER).") var by: String?
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let who = by ?? ProcessInfo.processInfo.environment["USER"] ?? "cli"
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.@"))
        let name = String(who.unicodeScalars.filter(allowed.contains))
        let reply: VigilClient.Reply
        do {
            reply = try await client.client.post("/api/v1/incidents/\(id)/ack?by=\(name)", body: nil)
        } catch {
            guard case .unreachable(let message) = error else { throw error }
            throw failure(message, status: ExitStatus.unreachable)
        }
        guard reply.status == 200 else {
            throw failure("the server answered \(reply.status): \(reply.body)", status: ExitStatus.refused)
        }
        print("acknowledged \(id)")
    }
}

/// Durations as people read them: 45s, 3m12s, 2h5m.
enum DurationText {
    static func seconds(_ value: Double) -> String {
        if value < 1 { return "\(Int((value * 1000).rounded()))ms" }
        if value < 60 { return String(format: "%.1fs", value) }
        return DurationFormat.format(value)
    }
}

extension ClientOptions {
    /// GETs `path` and returns the body, or ends the command with the right message and exit code.
    func fetch(_ path: String) async throws -> String {
        let reply: VigilClient.Reply
        do {
            reply = try await client.get(path)
        } catch {
            guard case .unreachable(let message) = error else { throw error }
            throw failure(message, status: ExitStatus.unreachable)
        }
        guard reply.status == 200 else {
            throw failure("the server answered \(reply.status): \(reply.body)", status: ExitStatus.refused)
        }
        return reply.body
    }
}

extension Table {
    /// Columns padded to their widest cell.
    static func grid(_ header: [String], _ rows: [[String]]) -> String {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { cells in
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
