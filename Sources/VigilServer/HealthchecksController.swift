import Foundation
import Hummingbird
import VigilCore
import VigilEngine
import VigilStore

/// The healthchecks.io Management API v3 over Vigil's monitors, so that tools and scripts written for it keep
/// working: checks (list, create with `unique` upsert, get, update, delete, pause, resume), their pings and flips,
/// integrations and badges. Every answer and refusal has healthchecks.io's shape; see docs/healthchecks-api.md.
struct HealthchecksController {
    let engine: Engine
    let badges: BadgeSigner

    /// The most signals read for one check: more than `keep_signals` keeps at its largest.
    static let signalLimit = 200_000
    /// The most journal lines read for a check's flips.
    static let journalLimit = 100_000

    /// The routes that need a key; the router group adds `RequireAccess`. Paths match with or without a final `/`.
    func addRoutes(to router: some RouterMethods<VigilRequestContext>) {
        router.get("/api/v3/checks/") { request, context in
            await HealthchecksResponse.answer { try await list(request, context) }
        }
        router.post("/api/v3/checks/") { request, context in
            await HealthchecksResponse.answer { try await create(request) }
        }
        router.get("/api/v3/checks/{code}") { _, context in
            await HealthchecksResponse.answer {
                let snapshot = try check(context, reading: true)
                return HealthchecksResponse.json(try await view(snapshot, context))
            }
        }
        router.post("/api/v3/checks/{code}") { request, context in
            await HealthchecksResponse.answer {
                let snapshot = try check(context, reading: false)
                let input = try await input(request)
                let updated = try await update(snapshot, with: input)
                return HealthchecksResponse.json(try await view(updated, context))
            }
        }
        router.delete("/api/v3/checks/{code}") { _, context in
            await HealthchecksResponse.answer {
                let snapshot = try check(context, reading: false)
                let gone = try await view(snapshot, context)
                try await engine.remove(id: snapshot.monitor.id)
                return HealthchecksResponse.json(gone)
            }
        }
        router.post("/api/v3/checks/{code}/pause") { _, context in
            await HealthchecksResponse.answer {
                let snapshot = try check(context, reading: false)
                try await engine.pause(id: snapshot.monitor.id)
                return HealthchecksResponse.json(try await view(current(snapshot), context))
            }
        }
        router.post("/api/v3/checks/{code}/resume") { _, context in
            await HealthchecksResponse.answer {
                let snapshot = try check(context, reading: false)
                guard snapshot.state.status == .paused else {
                    throw HealthchecksError(.conflict, "check is not paused")
                }
                try await engine.resume(id: snapshot.monitor.id)
                return HealthchecksResponse.json(try await view(current(snapshot), context))
            }
        }
        router.get("/api/v3/checks/{code}/pings/") { _, context in
            await HealthchecksResponse.answer {
                try requireReadWrite(context)
                let snapshot = try check(context, reading: false)
                let checkURL = HealthchecksCheck.updateURL(of: snapshot, baseURL: engine.baseURL)
                let pings = try await engine.signals(of: snapshot.monitor.id, limit: Self.signalLimit)
                return HealthchecksResponse.json(
                    .object(["pings": .array(pings.map { HealthchecksPing.json($0, checkURL: checkURL) })]))
            }
        }
        router.get("/api/v3/checks/{code}/pings/{n}/body") { _, context in
            await HealthchecksResponse.answer {
                try requireReadWrite(context)
                let snapshot = try check(context, reading: false)
                let text = context.parameters.get("n") ?? ""
                guard let number = Int64(text) else {
                    throw HealthchecksError(.notFound, "not found: \(text.prefix(40)) is not a ping number")
                }
                let pings = try await engine.signals(of: snapshot.monitor.id, limit: Self.signalLimit)
                guard let ping = pings.first(where: { $0.sequence == number }) else {
                    throw HealthchecksError(.notFound, "not found: the check has no ping \(number) (any more)")
                }
                guard let body = ping.signal.body, !body.isEmpty else {
                    throw HealthchecksError(.notFound, "not found: ping \(number) has no body")
                }
                return HealthchecksResponse.text(body)
            }
        }
        router.get("/api/v3/checks/{code}/flips/") { request, context in
            await HealthchecksResponse.answer {
                let snapshot = try check(context, reading: true)
                let window = try HealthchecksFlip.Window(request.uri.queryParameters, now: Date())
                let journal = try await engine.journal(of: snapshot.monitor.id, limit: Self.journalLimit)
                let flips = HealthchecksFlip.flips(in: journal).filter { window.contains($0.at) }
                return HealthchecksResponse.json(.object(["flips": .array(flips.map(\.json))]))
            }
        }
        router.get("/api/v3/channels/") { _, context in
            await HealthchecksResponse.answer {
                try requireReadWrite(context)
                return HealthchecksResponse.json(.object(["channels": .array(channels.map(\.json))]))
            }
        }
        router.get("/api/v3/badges/") { _, _ in
            await HealthchecksResponse.answer { HealthchecksResponse.json(badgeList()) }
        }
    }

    /// `GET /api/v3/status/`: `OK` when the store answers a query, for outside uptime monitors; it needs no key, as
    /// in healthchecks.io.
    func addStatusRoute(to router: some RouterMethods<VigilRequestContext>) {
        router.get("/api/v3/status/") { _, _ in
            do {
                _ = try await engine.journal(of: UUID(), limit: 1)
                return HealthchecksResponse.text("OK")
            } catch {
                return HealthchecksResponse.text(.internalServerError, "the store did not answer: \(error)")
            }
        }
    }

    // MARK: - Checks

    private func list(_ request: Request, _ context: VigilRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let tags = Set(query.getAll("tag"))
        let slug = query.get("slug").flatMap { $0.isEmpty ? nil : $0 }
        let selected = engine.snapshots().filter { snapshot in
            tags.isSubset(of: snapshot.monitor.tags) && (slug == nil || snapshot.monitor.slug == slug)
        }
        let readOnly = context.access != .readWrite
        // Each check reads its pings from the store; a few reads at a time, because SQLite serves them in parallel
        // and 10 000 checks one after another took seconds.
        let checks = try await withThrowingTaskGroup(of: (Int, HealthchecksJSON).self) { group in
            var checks = [HealthchecksJSON](repeating: .null, count: selected.count)
            for (index, snapshot) in selected.enumerated() {
                if index >= Self.parallelReads, let (done, check) = try await group.next() { checks[done] = check }
                group.addTask { (index, try await view(snapshot, readOnly: readOnly)) }
            }
            for try await (done, check) in group { checks[done] = check }
            return checks
        }
        return HealthchecksResponse.json(.object(["checks": .array(checks)]))
    }

    /// How many checks of a list read their pings at the same time.
    private static let parallelReads = 8

    /// Creates a check, or with `unique` updates the first one that matches (200 instead of 201).
    private func create(_ request: Request) async throws -> Response {
        let input = try await input(request)
        if let match = input.uniqueMatch(in: engine.snapshots().map(\.monitor)),
           let snapshot = engine.snapshot(id: match.id)
        {
            let updated = try await update(snapshot, with: input)
            return HealthchecksResponse.json(.ok, try await view(updated, readOnly: false))
        }
        let key = UUID()
        // healthchecks.io's defaults: a day's period and an hour of grace.
        let blank = Monitor(id: UUID(), key: key, slug: "new", schedule: .every(86_400), grace: 3_600, origin: .api)
        var monitor = input.applied(to: blank)
        if (input.slug ?? "").isEmpty {
            monitor.slug = HealthchecksCheckInput.slug(fromName: input.name ?? "", key: key)
        }
        try await engine.add(monitor)
        guard let snapshot = engine.snapshot(id: monitor.id) else { throw HealthchecksError.notFound(key.uuidString) }
        return HealthchecksResponse.json(.created, try await view(snapshot, readOnly: false))
    }

    /// Applies an input to a check; nothing changes unless every field is valid and the change is durable.
    private func update(_ snapshot: Engine.Snapshot, with input: HealthchecksCheckInput) async throws
        -> Engine.Snapshot
    {
        let changed = input.applied(to: snapshot.monitor)
        // Asking for what a check already is changes nothing, so it is fine even for a declared monitor.
        guard changed != snapshot.monitor else { return snapshot }
        if snapshot.monitor.origin == .config {
            throw HealthchecksError(.forbidden, "check \(snapshot.monitor.slug) is declared in Vigil's configuration"
                + " file (vigil.yml): change it there and restart Vigil; pause and resume work here")
        }
        try await engine.update(changed)
        return current(snapshot)
    }

    /// The request's body as a check input, with its channels checked against the configured ones.
    private func input(_ request: Request) async throws -> HealthchecksCheckInput {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: HealthchecksCheckInput.bodyLimit)
        } catch {
            throw HealthchecksError(
                .contentTooLarge, "the request body is larger than \(HealthchecksCheckInput.bodyLimit / 1024) KiB")
        }
        let input = try HealthchecksCheckInput.parse(buffer)
        try input.checkChannels(channels)
        return input
    }

    /// The check a path's `{code}` names: its uuid, or for reading also its `unique_key`.
    private func check(_ context: VigilRequestContext, reading: Bool) throws -> Engine.Snapshot {
        let code = (context.parameters.get("code") ?? "").lowercased()
        if let key = UUID(uuidString: code) {
            // By key only: a slug may look like a uuid too.
            guard let snapshot = engine.snapshot(slugOrKey: code), snapshot.monitor.key == key else {
                throw HealthchecksError.notFound(code)
            }
            return snapshot
        }
        if HealthchecksCheck.isUniqueKey(code) {
            guard reading else {
                throw HealthchecksError(.methodNotAllowed, "a unique_key only reads a check: use its uuid to change it")
            }
            let snapshot = engine.snapshots().first { HealthchecksCheck.uniqueKey(of: $0.monitor.key) == code }
            if let snapshot {
                return snapshot
            }
        }
        throw HealthchecksError.notFound(String(code.prefix(64)))
    }

    private func current(_ snapshot: Engine.Snapshot) -> Engine.Snapshot {
        engine.snapshot(id: snapshot.monitor.id) ?? snapshot
    }

    private func view(_ snapshot: Engine.Snapshot, _ context: VigilRequestContext) async throws -> HealthchecksJSON {
        try await view(snapshot, readOnly: context.access != .readWrite)
    }

    private func view(_ snapshot: Engine.Snapshot, readOnly: Bool) async throws -> HealthchecksJSON {
        let signals = try await engine.signals(of: snapshot.monitor.id, limit: Self.signalLimit)
        return HealthchecksCheck(
            snapshot: snapshot, signals: signals, channels: channels, badges: badges, baseURL: engine.baseURL
        ).json(readOnly: readOnly)
    }

    // MARK: - Integrations and badges

    private var channels: [HealthchecksChannel] { HealthchecksChannel.all(engine.notifyTargets) }

    private func requireReadWrite(_ context: VigilRequestContext) throws {
        guard context.access == .readWrite else { throw HealthchecksError.readOnly }
    }

    /// Every tag's badge URLs and the `*` badge over all checks; Vigil's badges always show late checks and its JSON
    /// badge also reads as a shields.io endpoint, so the 2-state, 3-state and shields variants share URLs.
    private func badgeList() -> HealthchecksJSON {
        func formats(_ path: (String) -> String) -> HealthchecksJSON {
            let svg = HealthchecksJSON.string(engine.baseURL + path("svg"))
            let json = HealthchecksJSON.string(engine.baseURL + path("json"))
            return .object(["svg": svg, "svg3": svg, "json": json, "json3": json, "shields": json, "shields3": json])
        }
        var list: [String: HealthchecksJSON] = ["*": formats { badges.allPath(format: $0) }]
        for tag in Set(engine.snapshots().flatMap(\.monitor.tags)) {
            list[tag] = formats { badges.path(tag: tag, format: $0) }
        }
        return .object(["badges": .object(list)])
    }
}
