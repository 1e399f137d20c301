import ArgumentParser
import Foundation
import Logging
import VigilEngine
import VigilServer
import VigilStore

/// `vigil keys`: API keys for the APIs, the dashboard and `/metrics`, kept hashed in the data folder's store.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke API keys (works while the server runs).",
        discussion: """
            Keys are stored as SHA-256 digests; the key itself is printed once, when it is created. A read-only key
            reads everything but ping keys and changes nothing. Send a key as "X-Api-Key: KEY" or
            "Authorization: Bearer KEY", or log in to the dashboard with it. Keys can also be declared in vigil.yml
            under api_keys.
            """,
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct StoreOptions: ParsableArguments {
        @Option(name: .customLong("data-dir"), help: ArgumentHelp("Where the SQLite store lives.", valueName: "dir"))
        var dataDirectory: String = ".vigil"

        func open() throws -> SQLiteStore {
            let path = (dataDirectory as NSString).appendingPathComponent("vigil.sqlite")
            guard FileManager.default.fileExists(atPath: path) else {
                throw failure(
                    "there is no Vigil store in \(dataDirectory) — run vigil keys where vigil serve runs, or pass"
                        + " --data-dir",
                    status: ExitStatus.commandLine
                )
            }
            do {
                return try SQLiteStore(path: path, durability: .process, signalsKept: 100, logger: Logger(label: "vigil"))
            } catch {
                throw failure("cannot open \(path): \(error.message)", status: ExitStatus.configuration)
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create an API key and print it alone on standard output."
        )

        @Flag(name: .customLong("read-only"), help: "A key that reads everything but ping keys and changes nothing.")
        var readOnly = false

        @Option(help: ArgumentHelp("What the key is for, e.g. grafana.", valueName: "name"))
        var name: String?

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let opened = try store.open()
            let key = APIKey.generate()
            let label = name ?? (readOnly ? "read-only" : "read-write")
            do {
                try await opened.saveAPIKey(StoredAPIKey(
                    id: UUID(), name: label, hash: APIKey.hash(key), readOnly: readOnly, createdAt: Date()
                ))
            } catch {
                throw failure("the key was not saved: \(error.message)", status: ExitStatus.refused)
            }
            print(key)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the keys in force (never the keys themselves).")

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let opened = try store.open()
            let keys: [StoredAPIKey]
            do {
                keys = try await opened.apiKeys()
            } catch {
                throw failure("cannot read the keys: \(error.message)", status: ExitStatus.refused)
            }
            let formatter = ISO8601DateFormatter()
            for key in keys {
                print(
                    "\(key.id.uuidString.lowercased())  \(key.readOnly ? "read-only " : "read-write")"
                        + "  \(formatter.string(from: key.createdAt))  \(key.name)"
                )
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a key by the id that vigil keys list shows.")

        @Argument(help: "The key's id.")
        var id: String

        @OptionGroup var store: StoreOptions

        func run() async throws {
            guard let uuid = UUID(uuidString: id) else {
                throw failure("\(id) is not a key id — vigil keys list shows them", status: ExitStatus.commandLine)
            }
            let opened = try store.open()
            let revoked: Bool
            do {
                revoked = try await opened.revokeAPIKey(id: uuid, at: Date())
            } catch {
                throw failure("the key was not revoked: \(error.message)", status: ExitStatus.refused)
            }
            guard revoked else { throw failure("no key in force has the id \(id)", status: ExitStatus.refused) }
            print("revoked \(uuid.uuidString.lowercased())")
        }
    }
}
