import Foundation

/// One scenario of the suite: a folder `NN-name/` under `scenarios/` with a `vigil.yml` and a `world.sh`.
public struct ScenarioWorld: Sendable, Hashable {
    /// The number in the folder's name, e.g. 3 for `03-dependency-outage`.
    public var number: Int
    /// The name after the number, e.g. `dependency-outage`.
    public var name: String
    public var folder: URL
    /// The first comment line of its `vigil.yml`, without the number: what the world does.
    public var title: String

    /// `03-dependency-outage`: the number and the name, as `--json` reports it.
    public var id: String { String(format: "%02d-%@", number, name) }

    /// The worlds in `root`, in number order; a folder is a world when it is named `NN-name` and holds `vigil.yml`
    /// and `world.sh`.
    public static func discover(in root: URL) throws(ScenarioError) -> [ScenarioWorld] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: root.path)
        } catch {
            throw ScenarioError("cannot read the scenarios folder \(root.path): \(error.localizedDescription)")
        }
        var worlds: [ScenarioWorld] = []
        for entry in names.sorted() {
            let parts = entry.split(separator: "-", maxSplits: 1)
            guard parts.count == 2, parts[0].count == 2, let number = Int(parts[0]) else { continue }
            let folder = root.appendingPathComponent(entry)
            let config = folder.appendingPathComponent("vigil.yml")
            guard let text = try? String(contentsOf: config, encoding: .utf8),
                FileManager.default.fileExists(atPath: folder.appendingPathComponent("world.sh").path)
            else { continue }
            worlds.append(ScenarioWorld(number: number, name: String(parts[1]), folder: folder, title: title(of: text)))
        }
        guard !worlds.isEmpty else {
            throw ScenarioError("no scenarios in \(root.path) — expected folders like 01-hung-worker with vigil.yml and world.sh")
        }
        return worlds
    }

    /// The worlds that `names` pick: each a number (`3`, `03`), a name (`dependency-outage`) or both
    /// (`03-dependency-outage`); all of them when `names` is empty.
    public static func select(_ names: [String], from worlds: [ScenarioWorld]) throws(ScenarioError) -> [ScenarioWorld] {
        guard !names.isEmpty else { return worlds }
        var chosen: [ScenarioWorld] = []
        for wanted in names {
            let match = worlds.first { world in
                world.id == wanted || world.name == wanted || Int(wanted) == world.number
            }
            guard let match else {
                throw ScenarioError("no scenario \"\(wanted)\" — known: \(worlds.map(\.id).joined(separator: ", "))")
            }
            if !chosen.contains(match) { chosen.append(match) }
        }
        return chosen.sorted { $0.number < $1.number }
    }

    /// The `scenarios` folder: `dir` when given, else `./scenarios`, else the checkout's beside the binary.
    public static func locateRoot(_ dir: String?) throws(ScenarioError) -> URL {
        var candidates: [URL] = []
        if let dir { candidates.append(URL(fileURLWithPath: dir)) }
        candidates.append(URL(fileURLWithPath: "scenarios"))
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        // .build/<triple>/<config>/vigil or .build/<config>/vigil → the checkout's scenarios/.
        candidates.append(binary.appendingPathComponent("../../scenarios"))
        candidates.append(binary.appendingPathComponent("../../../scenarios"))
        for candidate in candidates
        where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("lib/world.sh").path) {
            return candidate.standardizedFileURL
        }
        if let dir {
            throw ScenarioError("\(dir) is not a scenarios folder: it has no lib/world.sh")
        }
        throw ScenarioError("cannot find the scenarios folder — run from the checkout, or pass --dir DIR")
    }

    private static func title(of config: String) -> String {
        guard let line = config.split(separator: "\n").first, line.hasPrefix("#") else { return "" }
        var text = line.dropFirst().trimmingCharacters(in: .whitespaces)
        if let dot = text.firstIndex(of: "."), text[..<dot].allSatisfy(\.isNumber) {
            text = text[text.index(after: dot)...].trimmingCharacters(in: .whitespaces)
        }
        return text
    }
}

/// A mistake in running the scenario suite, with what to do about it.
public struct ScenarioError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
