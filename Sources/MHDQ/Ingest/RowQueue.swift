// Rows a push parser has completed but the reader has not yet handed out.

/// A pool of reusable rows: `push` and `pop` swap buffers rather than copy, so once the pool
/// has grown to the rows of one parsed chunk, queueing allocates nothing.
struct RowQueue {
    private var pool: [RawRow] = []
    private var head = 0
    private var count = 0

    var isEmpty: Bool { head >= count }

    /// Takes `row`'s contents (leaving `row` with an old, cleared buffer).
    mutating func push(_ row: inout RawRow) {
        if count == pool.count { pool.append(RawRow()) }
        swap(&row, &pool[count])
        count += 1
        row.removeAll()
    }

    mutating func pop(into row: inout RawRow) -> Bool {
        guard head < count else { return false }
        swap(&row, &pool[head])
        head += 1
        if head == count { head = 0; count = 0 }
        return true
    }
}
