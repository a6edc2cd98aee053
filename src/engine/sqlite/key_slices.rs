//! Cutting the customers into ranges of keys, so that one segment's count runs on several
//! connections side by side: SQLite runs each query on one core, and a count over a
//! million customers is two half-counts on two cores (`seg run --count -s` on the
//! benchmark, `--threads 1` against two: Nurses 51 → 33 ms, LifetimeOver1000 737 → 429 ms;
//! docs/performance.md).
//!
//! A slice is exact only if a customer and its related rows fall in the same one. Keys are
//! compared with whole-number bounds in SQLite's own order (numbers, then text, then
//! blobs), so the slices, whose ends meet, hold every stored key once; a column of integer
//! affinity compares with a bound without converting either, the same on both sides of
//! the join. A column of another affinity would not (text affinity turns the bound into
//! text and compares letters), so every key column must be declared with integer affinity
//! (its type contains `INT`), on a table (not a view) of the main database.

use rusqlite::{Connection, OptionalExtension};

use crate::sql::KeyRange;

/// Fewest key values (the width of a range) per slice: below that, a slice's own
/// connection and thread cost about what they save. The width stands in for the number of
/// customers, which would take a count to know.
const LEAST_KEYS_PER_SLICE: i128 = 50_000;

/// The ranges, or `None` when slicing would not be exact or would not pay.
pub(super) fn key_slices(
    connection: &Connection,
    (customers, key): (&str, &str),
    related: &[(&str, &str)],
    slices: usize,
) -> rusqlite::Result<Option<Vec<KeyRange>>> {
    if slices < 2 || !integer_key(connection, customers, key)? {
        return Ok(None);
    }
    for (table, column) in related {
        if !integer_key(connection, table, column)? {
            return Ok(None);
        }
    }
    if !key_is_indexed(connection, customers, key)? || has_unknown_key(connection, customers, key)? {
        return Ok(None);
    }
    // Each end alone: SQLite reads it from the end of the b-tree (asked together, it
    // scans the table).
    let end = |function: &str| -> rusqlite::Result<Option<i64>> {
        let value: rusqlite::types::Value = connection.query_row(
            &format!(
                "SELECT {function}({key}) FROM main.{customers}",
                key = quoted(key),
                customers = quoted(customers),
            ),
            [],
            |row| row.get(0),
        )?;
        Ok(match value {
            rusqlite::types::Value::Integer(n) => Some(n),
            _ => None,
        })
    };
    let (Some(first), Some(last)) = (end("min")?, end("max")?) else {
        return Ok(None);
    };
    Ok(ranges(first, last, slices))
}

/// `slices` ranges of about equal width over `first..=last` (fewer when the range is
/// small, `None` below two), the first open below and the last open above.
fn ranges(first: i64, last: i64, slices: usize) -> Option<Vec<KeyRange>> {
    let width = i128::from(last) - i128::from(first) + 1;
    let slices = (width / LEAST_KEYS_PER_SLICE).min(slices as i128);
    if slices < 2 {
        return None;
    }
    let cut = |i: i128| {
        i64::try_from(i128::from(first) + width * i / slices - 1).expect("between first and last")
    };
    Some(
        (0..slices)
            .map(|i| KeyRange {
                after: (i > 0).then(|| cut(i)),
                upto: (i < slices - 1).then(|| cut(i + 1)),
            })
            .collect(),
    )
}

/// Whether `table` is a table of the main database (no temporary table of that name hides
/// it) whose `column` has integer affinity.
fn integer_key(connection: &Connection, table: &str, column: &str) -> rusqlite::Result<bool> {
    let kinds: Vec<(String, String)> = connection
        .prepare("SELECT schema, type FROM pragma_table_list WHERE name = ?1 COLLATE NOCASE")?
        .query_map([table], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    if kinds != [("main".to_string(), "table".to_string())] {
        return Ok(false);
    }
    let declared: Option<String> = connection
        .query_row(
            "SELECT type FROM pragma_table_info(?1, 'main') WHERE name = ?2 COLLATE NOCASE",
            [table, column],
            |row| row.get(0),
        )
        .optional()?;
    Ok(declared.is_some_and(|t| t.to_ascii_uppercase().contains("INT")))
}

/// Whether the customers can be read by key range without a scan: the key is the rowid,
/// or an index starts with it.
fn key_is_indexed(connection: &Connection, table: &str, key: &str) -> rusqlite::Result<bool> {
    let rowid: Option<(String, i64)> = connection
        .query_row(
            "SELECT type, pk FROM pragma_table_info(?1, 'main') WHERE name = ?2 COLLATE NOCASE",
            [table, key],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    if rowid.is_some_and(|(t, pk)| pk == 1 && t.eq_ignore_ascii_case("INTEGER")) {
        return Ok(true);
    }
    connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_index_list(?1, 'main') AS l \
         JOIN pragma_index_info(l.name, 'main') AS i ON i.seqno = 0 \
         WHERE i.name = ?2 COLLATE NOCASE)",
        [table, key],
        |row| row.get(0),
    )
}

/// Whether some customer has no key (compared with nothing, it would be in no slice).
fn has_unknown_key(connection: &Connection, table: &str, key: &str) -> rusqlite::Result<bool> {
    connection.query_row(
        &format!(
            "SELECT EXISTS (SELECT 1 FROM main.{table} WHERE {key} IS NULL)",
            table = quoted(table),
            key = quoted(key),
        ),
        [],
        |row| row.get(0),
    )
}

fn quoted(name: &str) -> String {
    crate::sql::ddl::quoted(&crate::sql::Sqlite, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ranges_meet_and_cover_every_key() {
        let slices = ranges(1, 1_000_000, 2).expect("wide enough");
        assert_eq!(
            slices,
            [
                KeyRange { after: None, upto: Some(500_000) },
                KeyRange { after: Some(500_000), upto: None },
            ]
        );
        let three = ranges(i64::MIN, i64::MAX, 3).expect("wide enough");
        assert_eq!(three.len(), 3);
        assert_eq!(three[0].upto, three[1].after);
        assert_eq!(three[1].upto, three[2].after);
        assert!(three[0].after.is_none() && three[2].upto.is_none());
    }

    #[test]
    fn too_few_keys_are_not_sliced() {
        assert_eq!(ranges(1, 99_999, 2), None);
        assert_eq!(ranges(1, 100_000, 8).map(|r| r.len()), Some(2));
        assert_eq!(ranges(5, 5, 2), None);
    }
}
