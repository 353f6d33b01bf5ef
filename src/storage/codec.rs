//! Keys and values as bytes. All records live in one sled tree. The first key byte names the
//! kind of record, followed by fixed-width big-endian ids and UTF-8 strings separated by a
//! zero byte, so sled's ordering is the ids' ordering and prefix scans find one trajectory's
//! records. Every value starts with a schema version byte, followed by JSON.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::StoreError;
use crate::engine::model::{Place, TrajectoryId};

/// The version byte written in front of every value by this build.
pub const VALUE_VERSION: u8 = 1;

/// First key bytes: the kind of record.
pub const TRAJECTORY: u8 = b't';
pub const ANSWER: u8 = b'a';
pub const HISTORY: u8 = b'h';
pub const BINDING: u8 = b'b';
pub const EVENT: u8 = b'e';
pub const DUE: u8 = b'd';
pub const SETTING: u8 = b's';

pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    let mut bytes = vec![VALUE_VERSION];
    serde_json::to_writer(&mut bytes, value)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode a value: {e}")))?;
    Ok(bytes)
}

pub fn decode<T: DeserializeOwned>(kind: &str, bytes: &[u8]) -> Result<T, StoreError> {
    match bytes.split_first() {
        Some((&VALUE_VERSION, json)) => serde_json::from_slice(json)
            .map_err(|e| StoreError::Corrupt(format!("a {kind} record does not decode: {e}"))),
        Some((version, _)) => Err(StoreError::Corrupt(format!(
            "a {kind} record has version {version}, this build reads version {VALUE_VERSION}; run the matching schaalwijzer version"
        ))),
        None => Err(StoreError::Corrupt(format!("an empty {kind} record"))),
    }
}

fn with_id(kind: u8, id: TrajectoryId) -> Vec<u8> {
    let mut key = Vec::with_capacity(32);
    key.push(kind);
    key.extend_from_slice(&id.0.to_be_bytes());
    key
}

pub fn trajectory_key(id: TrajectoryId) -> Vec<u8> {
    with_id(TRAJECTORY, id)
}

/// The prefix of all answers of one trajectory.
pub fn answers_prefix(id: TrajectoryId) -> Vec<u8> {
    with_id(ANSWER, id)
}

pub fn answer_key(id: TrajectoryId, question: &str, member: &str) -> Vec<u8> {
    let mut key = with_id(ANSWER, id);
    key.extend_from_slice(question.as_bytes());
    key.push(0);
    key.extend_from_slice(member.as_bytes());
    key
}

/// The prefix of the whole history of one trajectory.
pub fn history_prefix(id: TrajectoryId) -> Vec<u8> {
    with_id(HISTORY, id)
}

pub fn history_key(id: TrajectoryId, sequence: u64) -> Vec<u8> {
    let mut key = with_id(HISTORY, id);
    key.extend_from_slice(&sequence.to_be_bytes());
    key
}

pub fn event_key(event_id: &str) -> Vec<u8> {
    let mut key = vec![EVENT];
    key.extend_from_slice(event_id.as_bytes());
    key
}

pub fn setting_key(scope: &str) -> Vec<u8> {
    let mut key = vec![SETTING];
    key.extend_from_slice(scope.as_bytes());
    key
}

pub fn place_key(place: &Place) -> Vec<u8> {
    let mut key =
        Vec::with_capacity(place.platform.len() + place.scope.len() + place.channel.len() + 3);
    key.push(BINDING);
    key.extend_from_slice(place.platform.as_bytes());
    key.push(0);
    key.extend_from_slice(place.scope.as_bytes());
    key.push(0);
    key.extend_from_slice(place.channel.as_bytes());
    key
}

/// A due-index key: the instant (ordered, negative times first) then the trajectory id.
pub fn due_key(at: jiff::Timestamp, id: TrajectoryId) -> [u8; 25] {
    let ordered = (at.as_nanosecond() as u128) ^ (1u128 << 127);
    let mut key = [0; 25];
    key[0] = DUE;
    key[1..17].copy_from_slice(&ordered.to_be_bytes());
    key[17..].copy_from_slice(&id.0.to_be_bytes());
    key
}

/// Splits a due-index key back into its instant and trajectory id.
pub fn due_from_key(key: &[u8]) -> Option<(jiff::Timestamp, TrajectoryId)> {
    let ordered = u128::from_be_bytes(key.get(1..17)?.try_into().ok()?);
    let nanos = (ordered ^ (1u128 << 127)) as i128;
    let at = jiff::Timestamp::from_nanosecond(nanos).ok()?;
    let id = u64::from_be_bytes(key.get(17..25)?.try_into().ok()?);
    Some((at, TrajectoryId(id)))
}
