import ArgumentParser
import Foundation
import VigilEngine
import VigilServer

/// Where the server is and how to address monitors by slug.
struct ClientOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The Vigil server's URL (default: $VIGIL_URL, else http://127.0.0.1:8080).", valueName: "url"))
    var server: String?

    @Option(
        name: .customLong("ping-key"),
        help: ArgumentHelp(
            "The project ping key for slug URLs (default: $VIGIL_PING_KEY, else ping_key in --config).",
            valueName: "key"
        )
    )
    var pingKey: String?

    @Option(help: ArgumentHelp("The configuration to read the ping key from.", valueName: "file"))
    var config: String = ClientSettings.defaultConfig

    @Option(help: "How many times to retry a request that failed for a transient reason.")
    var retries: Int = ClientSettings.defaultRetries

    @Option(
        name: .customLong("api-key"),
        help: ArgumentHelp(
            "The API key (default: $VIGIL_API_KEY, else the key that vigil serve keeps in --data-dir).",
            valueName: "key"
        )
    )
    var apiKey: String?

    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp("The data folder of a server on this machine, whose api-key file to use.", valueName: "dir")
    )
    var dataDirectory: String = ClientSettings.defaultDataDirectory

    /// The options as plain values.
    var settings: ClientSettings {
        ClientSettings(
            server: server, pingKey: pingKey, config: config, retries: retries, apiKey: apiKey,
            dataDirectory: dataDirectory
        )
    }

    var resolvedAPIKey: String? { settings.resolvedAPIKey }
    var serverURL: String { settings.serverURL }
    func validate() throws { try settings.validate() }
    func pingPath(for target: String) throws -> String { try settings.pingPath(for: target) }
    var client: VigilClient { settings.client }
}

/// What `ClientOptions` hold, as plain values, with what they mean: `vigil run`'s quick start (`QuickRun`) makes one
/// without ArgumentParser.
struct ClientSettings {
    static let defaultConfig = "vigil.yml"
    static let defaultRetries = 3
    static let defaultDataDirectory = ".vigil"

    var server: String? = nil
    var pingKey: String? = nil
    var config = Self.defaultConfig
    var retries = Self.defaultRetries
    var apiKey: String? = nil
    var dataDirectory = Self.defaultDataDirectory

    /// The key that reads and changes things over the API; pings need none.
    var resolvedAPIKey: String? {
        apiKey ?? ProcessInfo.processInfo.environment["VIGIL_API_KEY"] ?? LocalKey.read(from: dataDirectory)
    }

    var serverURL: String {
        let url = server ?? ProcessInfo.processInfo.environment["VIGIL_URL"] ?? "http://127.0.0.1:8080"
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    func validate() throws {
        guard let url = URL(string: serverURL), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw ValidationError("--server \"\(serverURL)\" is not an http(s) URL — e.g. http://127.0.0.1:8080")
        }
        guard retries >= 0 else { throw ValidationError("--retries must be 0 or more") }
    }

    /// The URL path that pings `target`: `/ping/<uuid>` or `/ping/<ping key>/<slug>`.
    func pingPath(for target: String) throws -> String {
        if let key = UUID(uuidString: target) {
            return "/ping/\(key.uuidString.lowercased())"
        }
        let environment = ProcessInfo.processInfo.environment
        var key = pingKey ?? environment["VIGIL_PING_KEY"]
        if key == nil, FileManager.default.fileExists(atPath: config) {
            key = (try? ConfigurationLoader.load(contentsOf: config))?.pingKey
        }
        guard let key else {
            throw failure(
                "\(target) is not a UUID, so it is a slug and needs the project ping key — pass --ping-key, "
                    + "set VIGIL_PING_KEY, or run where a vigil.yml with ping_key is",
                status: ExitStatus.commandLine
            )
        }
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789-_")
        guard !target.isEmpty, target.unicodeScalars.allSatisfy(allowed.contains) else {
            throw failure("\(target) is neither a UUID nor a slug (lowercase letters, digits, - and _)", status: ExitStatus.commandLine)
        }
        return "/ping/\(key)/\(target)"
    }

    var client: VigilClient { VigilClient(baseURL: serverURL, retries: retries, apiKey: resolvedAPIKey) }
}
