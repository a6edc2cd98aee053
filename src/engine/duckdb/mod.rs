//! DuckDB, embedded through the duckdb crate (its bundled library): a database file opened
//! read-only for queries and written in one transaction on a read-write connection of its
//! own, with the project's Parquet tables read in place (a view over each file, made on
//! every connection). Built only with the `duckdb` cargo feature: without it, a project
//! that names a DuckDB file gets one clear error saying how to build seg with DuckDB.

#[cfg(feature = "duckdb")]
mod connection;
#[cfg(feature = "duckdb")]
mod error;
#[cfg(feature = "duckdb")]
mod load;
#[cfg(feature = "duckdb")]
mod membership;
#[cfg(feature = "duckdb")]
mod values;
#[cfg(feature = "duckdb")]
mod writer;

#[cfg(feature = "duckdb")]
pub(super) use writer::Engine;

#[cfg(not(feature = "duckdb"))]
mod absent;
#[cfg(not(feature = "duckdb"))]
pub(super) use absent::Engine;
