//! Keys and values as bytes. Every value starts with a schema version byte, followed by JSON;
//! keys are fixed-width big-endian ids and UTF-8 strings separated by a zero byte, so sled's
//! ordering is the ids' ordering and prefix scans find one trajectory's records.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::StoreError;
use crate::engine::model::{Place, TrajectoryId};

/// The version byte written in front of every value by this build.
pub const VALUE_VERSION: u8 = 1;

pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    let mut bytes = vec![VALUE_VERSION];
    serde_json::to_writer(&mut bytes, value)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode a value: {e}")))?;
    Ok(bytes)
}

pub fn decode<T: DeserializeOwned>(tree: &str, bytes: &[u8]) -> Result<T, StoreError> {
    match bytes.split_first() {
        Some((&VALUE_VERSION, json)) => serde_json::from_slice(json)
            .map_err(|e| StoreError::Corrupt(format!("a value in tree {tree:?} does not decode: {e}"))),
        Some((version, _)) => Err(StoreError::Corrupt(format!(
            "a value in tree {tree:?} has version {version}, this build reads version {VALUE_VERSION}; run the matching schaalwijzer version"
        ))),
        None => Err(StoreError::Corrupt(format!("an empty value in tree {tree:?}"))),
    }
}

pub fn trajectory_key(id: TrajectoryId) -> [u8; 8] {
    id.0.to_be_bytes()
}

pub fn trajectory_from_key(key: &[u8]) -> Option<TrajectoryId> {
    let bytes: [u8; 8] = key.get(..8)?.try_into().ok()?;
    Some(TrajectoryId(u64::from_be_bytes(bytes)))
}

pub fn answer_key(id: TrajectoryId, question: &str, member: &str) -> Vec<u8> {
    let mut key = id.0.to_be_bytes().to_vec();
    key.extend_from_slice(question.as_bytes());
    key.push(0);
    key.extend_from_slice(member.as_bytes());
    key
}

pub fn history_key(id: TrajectoryId, sequence: u64) -> [u8; 16] {
    let mut key = [0; 16];
    key[..8].copy_from_slice(&id.0.to_be_bytes());
    key[8..].copy_from_slice(&sequence.to_be_bytes());
    key
}

pub fn place_key(place: &Place) -> Vec<u8> {
    let mut key =
        Vec::with_capacity(place.platform.len() + place.scope.len() + place.channel.len() + 2);
    key.extend_from_slice(place.platform.as_bytes());
    key.push(0);
    key.extend_from_slice(place.scope.as_bytes());
    key.push(0);
    key.extend_from_slice(place.channel.as_bytes());
    key
}

/// A due-index key: the instant (ordered, negative times first) then the trajectory id.
pub fn due_key(at: jiff::Timestamp, id: TrajectoryId) -> [u8; 24] {
    let ordered = (at.as_nanosecond() as u128) ^ (1u128 << 127);
    let mut key = [0; 24];
    key[..16].copy_from_slice(&ordered.to_be_bytes());
    key[16..].copy_from_slice(&id.0.to_be_bytes());
    key
}

/// Splits a due-index key back into its instant and trajectory id.
pub fn due_from_key(key: &[u8]) -> Option<(jiff::Timestamp, TrajectoryId)> {
    let ordered = u128::from_be_bytes(key.get(..16)?.try_into().ok()?);
    let nanos = (ordered ^ (1u128 << 127)) as i128;
    let at = jiff::Timestamp::from_nanosecond(nanos).ok()?;
    let id = u64::from_be_bytes(key.get(16..24)?.try_into().ok()?);
    Some((at, TrajectoryId(id)))
}
