//! Synthetic trajectories for benchmarks and load tests.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use super::model::*;
use crate::i18n::Lang;

/// Builds trajectory `id` in channel `load-<id>`, with `members` members and, when `due` is
/// given, a weekly check-in due then.
pub fn trajectory(id: u64, members: usize, due: Option<Timestamp>, now: Timestamp) -> Trajectory {
    let members: BTreeMap<MemberId, Member> = (0..members)
        .map(|m| {
            (
                format!("member-{m}"),
                Member {
                    name: format!("Member {m}"),
                    joined_at: now,
                },
            )
        })
        .collect();
    Trajectory {
        id: TrajectoryId(id),
        name: format!("Load test {id}"),
        description: String::new(),
        lang: Lang::Nl,
        place: Place {
            platform: "load".into(),
            scope: String::new(),
            channel: format!("load-{id}"),
        },
        facilitators: BTreeSet::from(["member-0".to_string()]),
        members,
        status: Status::Open,
        channel_position: 0,
        private_positions: BTreeMap::new(),
        agreed: BTreeMap::new(),
        created_at: now,
        updated_at: now,
        checkin: due.map(|due| Checkin {
            rule: "weekly mon 09:00".into(),
            zone: "Europe/Amsterdam".into(),
            anchor: jiff::civil::date(2026, 1, 1),
            paused: false,
            next_due: Some(due),
            last_sent: None,
            retry: None,
            last_review: None,
            set_by: "member-0".into(),
        }),
    }
}
