//! The schema version of a database and the steps that bring an older one up to date.
//!
//! The version lives in the `meta` tree under `schema_version`. A new database gets the
//! current version. To change the layout: bump [`SCHEMA_VERSION`], add a step to `STEPS` that
//! rewrites the old records, and a test that opens a database of the old version.

use std::path::Path;

use super::StoreError;

pub const SCHEMA_VERSION: u32 = 1;

const KEY: &[u8] = b"schema_version";

/// One migration: rewrites the records of one schema version into the next.
type MigrationStep = fn(&sled::Db) -> Result<(), StoreError>;

/// Migration steps: `STEPS[i]` moves a database from version `i + 1` to `i + 2`.
const STEPS: &[MigrationStep] = &[];

pub fn migrate(db: &sled::Db, path: &Path) -> Result<(), StoreError> {
    let meta = db.open_tree("meta")?;
    let found = match meta.get(KEY)? {
        Some(bytes) => {
            let array: [u8; 4] = bytes
                .as_ref()
                .try_into()
                .map_err(|_| StoreError::Corrupt("schema_version is not 4 bytes".into()))?;
            u32::from_be_bytes(array)
        }
        None => {
            meta.insert(KEY, &SCHEMA_VERSION.to_be_bytes())?;
            return Ok(());
        }
    };
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for version in found..SCHEMA_VERSION {
        let step = STEPS.get((version - 1) as usize).ok_or_else(|| {
            StoreError::Corrupt(format!("no migration from schema version {version}"))
        })?;
        step(db)?;
        meta.insert(KEY, &(version + 1).to_be_bytes())?;
        tracing::info!(
            from = version,
            to = version + 1,
            "migrated the database schema"
        );
    }
    Ok(())
}
