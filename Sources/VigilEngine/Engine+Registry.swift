import Foundation
import HeapModule
import VigilCore

extension Engine {
    /// One monitor as the engine works with it: its definition, state, queued deadline and rate limiter.
    struct Entry {
        var monitor: Monitor
        var state: MonitorState
        /// The deadline that the queue holds for this monitor, if any.
        var queued: Date?
        var limiter: RateLimiter?
    }

    struct QueuedDeadline: Comparable {
        var at: Date
        var monitorID: UUID

        static func < (lhs: Self, rhs: Self) -> Bool { lhs.at < rhs.at }
    }

    /// Every watched monitor, kept dense so that a million fit in a few hundred megabytes.
    ///
    /// Entries live in one array of small slots addressed through `[UUID: Int32]` indexes; what monitors share
    /// (schedule, grace, kinds, tags, origin) is kept once per distinct shape, and what few have (an open
    /// incident, a rate limiter, a name or description) in side tables. `Entry` values are assembled on reading
    /// and taken apart on writing.
    struct Registry {
        var deadlines = Heap<QueuedDeadline>()

        private var slots: ContiguousArray<Slot> = []
        private var vacant: [Int32] = []
        private var byID: [UUID: Int32] = [:]
        private var byKey: [UUID: Int32] = [:]
        // The first monitor of each slug; a slug that several monitors share keeps the others in `sharedSlugs`,
        // so that the common case of one monitor per slug costs no array.
        private var bySlug: [String: Int32] = [:]
        private var sharedSlugs: [String: [Int32]] = [:]
        private var shapes: ContiguousArray<Shape> = []
        private var shapeUses: ContiguousArray<Int> = []
        private var shapeIndex: [Shape: Int32] = [:]
        private var vacantShapes: [Int32] = []
        private var lastShape: Int32 = -1
        private var incidents: [Int32: Incident] = [:]
        private var limiters: [Int32: RateLimiter] = [:]
        private var texts: [Int32: Texts] = [:]

        /// How many monitors are registered.
        var count: Int { byID.count }

        /// Makes room for `capacity` monitors at once, so that loading does not grow the tables by doubling.
        mutating func reserveCapacity(_ capacity: Int) {
            slots.reserveCapacity(capacity)
            byID.reserveCapacity(capacity)
            byKey.reserveCapacity(capacity)
            bySlug.reserveCapacity(capacity)
        }

        func contains(_ id: UUID) -> Bool { byID[id] != nil }

        /// Adds a monitor, or replaces the one with its id.
        mutating func add(_ entry: Entry) {
            insert(entry)
        }

        /// The monitor with this id; setting nil removes it, setting a value adds or replaces it.
        subscript(id: UUID) -> Entry? {
            get { byID[id].map(entry(at:)) }
            set {
                switch (byID[id], newValue) {
                case (.some(let index), .some(let entry)):
                    precondition(entry.monitor.id == id, "an entry is stored under its monitor's id")
                    update(index, with: entry)
                case (.some(let index), .none):
                    remove(index)
                case (.none, .some(let entry)):
                    precondition(entry.monitor.id == id, "an entry is stored under its monitor's id")
                    insert(entry)
                case (.none, .none):
                    break
                }
            }
        }

        func monitor(_ id: UUID) -> Monitor? {
            byID[id].map { monitor(at: $0) }
        }

        func state(_ id: UUID) -> MonitorState? {
            byID[id].map { state(at: $0) }
        }

        /// Queues `deadline` for the monitor unless it has an earlier or equal one queued; false when it was not
        /// queued (or the monitor is not registered). One lookup, as loading a million monitors queues a million.
        mutating func queue(_ deadline: Date, for id: UUID) -> Bool {
            guard let index = byID[id] else { return false }
            let seconds = deadline.timeIntervalSinceReferenceDate
            let queued = slots[Int(index)].queued
            if !queued.isNaN, queued <= seconds { return false }
            slots[Int(index)].queued = seconds
            return true
        }

        /// Replaces the monitor's state, leaving its definition alone.
        mutating func setState(_ state: MonitorState, for id: UUID) {
            guard let index = byID[id] else { return }
            store(state, at: index)
        }

        /// The id of the monitor with this ping key.
        func id(forKey key: UUID) -> UUID? {
            byKey[key].map { slots[Int($0)].id }
        }

        /// The first monitor with this slug and how many have it.
        func slugMatch(_ slug: String) -> (id: UUID?, count: Int) {
            guard let first = bySlug[slug] else { return (nil, 0) }
            return (slots[Int(first)].id, 1 + (sharedSlugs[slug]?.count ?? 0))
        }

        /// Every monitor with this slug, in the order they were registered.
        func ids(forSlug slug: String) -> [UUID] {
            guard let first = bySlug[slug] else { return [] }
            return ([first] + (sharedSlugs[slug] ?? [])).map { slots[Int($0)].id }
        }

        /// Every entry, in no particular order.
        func allEntries() -> [Entry] {
            var result: [Entry] = []
            result.reserveCapacity(count)
            for index in slots.indices where slots[index].shape >= 0 {
                result.append(entry(at: Int32(index)))
            }
            return result
        }

        /// The monitors that have an open incident, with it, in no particular order.
        func openIncidents() -> [(monitor: Monitor, incident: Incident)] {
            incidents.map { index, incident in (monitor(at: index), incident) }
        }

        // MARK: - Slots

        /// The part of a monitor that is its own, with dates as seconds since the reference date (NaN: none) so that
        /// they round-trip exactly and cost no optional's padding.
        private struct Slot {
            var id: UUID
            var key: UUID
            var slug: String
            var lastValues: [String: Double]
            var runs: [String: Date]
            var since: Double
            var lastSignalAt: Double
            var lastProgressAt: Double
            var queued: Double
            var revision: Int64
            /// The index in `shapes`; -1 marks a vacant slot.
            var shape: Int32
            var status: MonitorStatus

            private static let nothing = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
            static let vacant = Slot(
                id: Self.nothing, key: Self.nothing, slug: "", lastValues: [:], runs: [:], since: 0,
                lastSignalAt: .nan, lastProgressAt: .nan, queued: .nan, revision: 0, shape: -1, status: .new)
        }

        /// What monitors made from one template have in common.
        private struct Shape: Hashable {
            var schedule: Schedule
            var grace: TimeInterval
            var maxRuntime: TimeInterval?
            var progressKinds: Set<String>
            var advancingKinds: Set<String>
            var rateLimit: RateLimit?
            var tags: [String]
            var origin: Monitor.Origin

            init(_ monitor: Monitor) {
                schedule = monitor.schedule
                grace = monitor.grace
                maxRuntime = monitor.maxRuntime
                progressKinds = monitor.progressKinds
                advancingKinds = monitor.advancingKinds
                rateLimit = monitor.rateLimit
                tags = monitor.tags
                origin = monitor.origin
            }
        }

        private struct Texts {
            var name: String
            var desc: String
        }

        private static func seconds(_ date: Date?) -> Double { date?.timeIntervalSinceReferenceDate ?? .nan }

        private static func date(_ seconds: Double) -> Date? {
            seconds.isNaN ? nil : Date(timeIntervalSinceReferenceDate: seconds)
        }

        private func entry(at index: Int32) -> Entry {
            Entry(
                monitor: monitor(at: index), state: state(at: index), queued: Self.date(slots[Int(index)].queued),
                limiter: limiters[index]
            )
        }

        private func monitor(at index: Int32) -> Monitor {
            let slot = slots[Int(index)]
            let shape = shapes[Int(slot.shape)]
            let texts = texts[index]
            return Monitor(
                id: slot.id, key: slot.key, slug: slot.slug, schedule: shape.schedule, grace: shape.grace,
                maxRuntime: shape.maxRuntime, progressKinds: shape.progressKinds, advancingKinds: shape.advancingKinds,
                rateLimit: shape.rateLimit, tags: shape.tags, origin: shape.origin, name: texts?.name ?? "",
                desc: texts?.desc ?? ""
            )
        }

        private func state(at index: Int32) -> MonitorState {
            let slot = slots[Int(index)]
            return MonitorState(
                status: slot.status, since: Date(timeIntervalSinceReferenceDate: slot.since),
                lastSignalAt: Self.date(slot.lastSignalAt), lastProgressAt: Self.date(slot.lastProgressAt),
                lastValues: slot.lastValues, runs: slot.runs, incident: incidents[index], revision: slot.revision
            )
        }

        private mutating func store(_ state: MonitorState, at index: Int32) {
            let i = Int(index)
            slots[i].status = state.status
            slots[i].since = state.since.timeIntervalSinceReferenceDate
            slots[i].lastSignalAt = Self.seconds(state.lastSignalAt)
            slots[i].lastProgressAt = Self.seconds(state.lastProgressAt)
            slots[i].lastValues = state.lastValues
            slots[i].runs = state.runs
            slots[i].revision = state.revision
            if let incident = state.incident {
                incidents[index] = incident
            } else if !incidents.isEmpty {
                incidents[index] = nil
            }
        }

        private mutating func storeSides(of entry: Entry, at index: Int32) {
            if let limiter = entry.limiter {
                limiters[index] = limiter
            } else if !limiters.isEmpty {
                limiters[index] = nil
            }
            if !entry.monitor.name.isEmpty || !entry.monitor.desc.isEmpty {
                texts[index] = Texts(name: entry.monitor.name, desc: entry.monitor.desc)
            } else if !texts.isEmpty {
                texts[index] = nil
            }
        }

        private mutating func insert(_ entry: Entry) {
            let monitor = entry.monitor
            let slot = Slot(
                id: monitor.id, key: monitor.key, slug: monitor.slug, lastValues: [:], runs: [:], since: 0,
                lastSignalAt: .nan, lastProgressAt: .nan, queued: Self.seconds(entry.queued), revision: 0,
                shape: intern(Shape(monitor)), status: .new
            )
            let index = vacant.last ?? Int32(slots.count)
            // One hash of the id: a million of them are most of loading.
            if let existing = byID.updateValue(index, forKey: monitor.id) {
                byID[monitor.id] = existing
                update(existing, with: entry)
                return
            }
            if index == slots.count {
                slots.append(slot)
            } else {
                vacant.removeLast()
                slots[Int(index)] = slot
            }
            byKey[monitor.key] = index
            addSlug(monitor.slug, index)
            store(entry.state, at: index)
            storeSides(of: entry, at: index)
        }

        private mutating func update(_ index: Int32, with entry: Entry) {
            let i = Int(index)
            let monitor = entry.monitor
            if slots[i].key != monitor.key {
                if byKey[slots[i].key] == index { byKey[slots[i].key] = nil }
                byKey[monitor.key] = index
                slots[i].key = monitor.key
            }
            if slots[i].slug != monitor.slug {
                removeSlug(slots[i].slug, index)
                addSlug(monitor.slug, index)
                slots[i].slug = monitor.slug
            }
            let shape = Shape(monitor)
            let current = slots[i].shape
            if shapes[Int(current)] != shape {
                slots[i].shape = intern(shape)
                release(current)
            }
            slots[i].queued = Self.seconds(entry.queued)
            store(entry.state, at: index)
            storeSides(of: entry, at: index)
        }

        private mutating func remove(_ index: Int32) {
            let slot = slots[Int(index)]
            byID[slot.id] = nil
            if byKey[slot.key] == index { byKey[slot.key] = nil }
            removeSlug(slot.slug, index)
            release(slot.shape)
            incidents[index] = nil
            limiters[index] = nil
            texts[index] = nil
            slots[Int(index)] = .vacant
            vacant.append(index)
        }

        private mutating func addSlug(_ slug: String, _ index: Int32) {
            if let first = bySlug.updateValue(index, forKey: slug) {
                bySlug[slug] = first
                sharedSlugs[slug, default: []].append(index)
            }
        }

        private mutating func removeSlug(_ slug: String, _ index: Int32) {
            if bySlug[slug] == index {
                if var others = sharedSlugs.removeValue(forKey: slug), !others.isEmpty {
                    bySlug[slug] = others.removeFirst()
                    if !others.isEmpty { sharedSlugs[slug] = others }
                } else {
                    bySlug[slug] = nil
                }
            } else if var others = sharedSlugs.removeValue(forKey: slug) {
                others.removeAll { $0 == index }
                if !others.isEmpty { sharedSlugs[slug] = others }
            }
        }

        // MARK: - Shapes

        /// The index of this shape, counting one more use of it.
        private mutating func intern(_ shape: Shape) -> Int32 {
            // Monitors load in runs of the same template: comparing with the last shape skips most hashing.
            let index: Int32
            if lastShape >= 0, shapeUses[Int(lastShape)] > 0, shapes[Int(lastShape)] == shape {
                index = lastShape
            } else if let known = shapeIndex[shape] {
                index = known
            } else if let reused = vacantShapes.popLast() {
                index = reused
                shapes[Int(index)] = shape
                shapeIndex[shape] = index
            } else {
                index = Int32(shapes.count)
                shapes.append(shape)
                shapeUses.append(0)
                shapeIndex[shape] = index
            }
            shapeUses[Int(index)] += 1
            lastShape = index
            return index
        }

        private mutating func release(_ index: Int32) {
            shapeUses[Int(index)] -= 1
            guard shapeUses[Int(index)] == 0 else { return }
            shapeIndex[shapes[Int(index)]] = nil
            vacantShapes.append(index)
        }
    }
}
