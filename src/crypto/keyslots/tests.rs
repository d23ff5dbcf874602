//! Key slots: wrap, unwrap, tamper, limits, names.
use super::*;

const FAST: KdfParams = KdfParams::INSECURE_FAST;

#[test]
fn create_then_unlock_returns_the_same_key() {
    let (slots, key) = KeySlots::create("관리자", "correct horse", FAST).unwrap();
    assert_eq!(slots.unlock("관리자", "correct horse").unwrap(), key);
    assert_eq!(slots.operators().collect::<Vec<_>>(), ["관리자"]);
}

#[test]
fn wrong_passphrase_is_a_typed_error() {
    let (slots, _) = KeySlots::create("kim", "correct horse", FAST).unwrap();
    match slots.unlock("kim", "correct hors") {
        Err(KeySlotError::WrongPassphrase(op)) => assert_eq!(op, "kim"),
        other => panic!("expected WrongPassphrase, got {other:?}"),
    }
    assert!(matches!(
        slots.unlock("lee", "correct horse"),
        Err(KeySlotError::UnknownOperator(op)) if op == "lee"
    ));
}

#[test]
fn each_operator_unlocks_the_same_key_with_their_own_passphrase() {
    let (mut slots, key) = KeySlots::create("admin", "admin pass 1", FAST).unwrap();
    slots.add_slot(&key, "kim", "kim pass 22", FAST).unwrap();
    slots
        .add_slot(&key, "이영희", "영희의 비밀번호", FAST)
        .unwrap();
    assert_eq!(slots.unlock("kim", "kim pass 22").unwrap(), key);
    assert_eq!(slots.unlock("이영희", "영희의 비밀번호").unwrap(), key);
    assert!(matches!(
        slots.unlock("kim", "admin pass 1"),
        Err(KeySlotError::WrongPassphrase(_))
    ));
    // Fresh salt and nonce per slot.
    assert_ne!(slots.slots()[0].salt, slots.slots()[1].salt);
    assert_ne!(slots.slots()[0].nonce, slots.slots()[1].nonce);
    assert!(matches!(
        slots.add_slot(&key, " kim ", "another pass", FAST),
        Err(KeySlotError::DuplicateOperator(op)) if op == "kim"
    ));
}

#[test]
fn removed_slot_no_longer_unlocks_and_the_last_slot_stays() {
    let (mut slots, key) = KeySlots::create("admin", "admin pass 1", FAST).unwrap();
    slots.add_slot(&key, "kim", "kim pass 22", FAST).unwrap();
    let removed = slots.remove_slot("kim").unwrap();
    assert_eq!(removed.operator, "kim");
    assert!(matches!(
        slots.unlock("kim", "kim pass 22"),
        Err(KeySlotError::UnknownOperator(_))
    ));
    assert!(matches!(
        slots.remove_slot("admin"),
        Err(KeySlotError::LastSlot)
    ));
    assert!(matches!(
        slots.remove_slot("nobody"),
        Err(KeySlotError::UnknownOperator(_))
    ));
    assert_eq!(slots.unlock("admin", "admin pass 1").unwrap(), key);
}

#[test]
fn set_passphrase_replaces_the_old_one() {
    let (mut slots, key) = KeySlots::create("admin", "admin pass 1", FAST).unwrap();
    slots
        .set_passphrase(&key, "admin", "admin pass 2", FAST)
        .unwrap();
    assert!(matches!(
        slots.unlock("admin", "admin pass 1"),
        Err(KeySlotError::WrongPassphrase(_))
    ));
    assert_eq!(slots.unlock("admin", "admin pass 2").unwrap(), key);
    assert!(matches!(
        slots.set_passphrase(&key, "admin", "short", FAST),
        Err(KeySlotError::WeakPassphrase)
    ));
}

#[test]
fn serde_round_trip_keeps_slots_working() {
    let (mut slots, key) = KeySlots::create("admin", "admin pass 1", FAST).unwrap();
    slots
        .add_slot(&key, "김민수", "민수의 비밀번호", FAST)
        .unwrap();
    let json = slots.to_json();
    assert!(
        !json.contains(&hex::encode(&key.0[..])),
        "the raw key is never serialized"
    );
    let back = KeySlots::from_json(&json).unwrap();
    assert_eq!(back, slots);
    assert_eq!(back.digest(), slots.digest());
    assert_eq!(back.unlock("김민수", "민수의 비밀번호").unwrap(), key);
}

#[test]
fn save_and_load_a_slot_file() {
    let dir = std::env::temp_dir().join(format!("dolbom-keyslots-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("test.db.keys");
    let (slots, key) = KeySlots::create("admin", "admin pass 1", FAST).unwrap();
    slots.save(&path).unwrap();
    let back = KeySlots::load(&path).unwrap();
    assert_eq!(back.unlock("admin", "admin pass 1").unwrap(), key);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_renamed_or_weakened_slot_does_not_open() {
    let (mut slots, key) = KeySlots::create("admin", "admin pass 1", FAST).unwrap();
    slots.add_slot(&key, "kim", "kim pass 22", FAST).unwrap();
    // kim edits the file to turn their own slot into "root", hoping to log in as root.
    let json = slots.to_json().replace("\"kim\"", "\"root\"");
    let forged = KeySlots::from_json(&json).unwrap();
    assert!(matches!(
        forged.unlock("root", "kim pass 22"),
        Err(KeySlotError::WrongPassphrase(_))
    ));
    // Lowering the cost in the file does not open the slot either.
    let mut weakened = slots.clone();
    weakened.slots[0].params.t_cost = 2;
    assert!(matches!(
        weakened.unlock("admin", "admin pass 1"),
        Err(KeySlotError::WrongPassphrase(_))
    ));
    assert_ne!(weakened.digest(), slots.digest());
}

#[test]
fn malformed_slot_files_are_refused() {
    let (slots, _) = KeySlots::create("admin", "admin pass 1", FAST).unwrap();
    let good = slots.to_json();
    for bad in [
        String::new(),
        "{}".to_owned(),
        good.replace("\"format\": 1", "\"format\": 2"),
        good.replace("\"kdf\": \"argon2id\"", "\"kdf\": \"md5\""),
        good.replace("\"operator\": \"admin\"", "\"operator\": \" admin\""),
        good.replace("\"operator\": \"admin\"", "\"operator\": \"ad\\u001bmin\""),
        {
            let mut s = slots.clone();
            s.slots[0].salt.truncate(4);
            s.to_json()
        },
        {
            let mut s = slots.clone();
            s.slots.clear();
            s.to_json()
        },
        {
            let mut s = slots.clone();
            s.slots.push(s.slots[0].clone());
            s.to_json()
        },
    ] {
        assert!(
            matches!(KeySlots::from_json(&bad), Err(KeySlotError::Format(_))),
            "accepted: {bad}"
        );
    }
}

#[test]
fn absurd_costs_in_a_file_are_refused_before_any_work() {
    let (mut slots, _) = KeySlots::create("admin", "admin pass 1", FAST).unwrap();
    slots.slots[0].params.m_cost_kib = u32::MAX;
    assert!(matches!(
        slots.unlock("admin", "admin pass 1"),
        Err(KeySlotError::Kdf(_))
    ));
}

#[test]
fn passphrases_are_compared_in_nfc() {
    let composed = "비밀번호 김민수";
    let decomposed: String = composed.nfd().collect();
    assert_ne!(composed, decomposed);
    let (slots, key) = KeySlots::create("admin", composed, FAST).unwrap();
    assert_eq!(slots.unlock("admin", &decomposed).unwrap(), key);
}

#[test]
fn operator_names_are_trimmed_nfc_and_free_of_control_characters() {
    assert_eq!(normalize_operator("  kim\t").unwrap(), "kim");
    let decomposed: String = "김민수".nfd().collect();
    assert_eq!(normalize_operator(&decomposed).unwrap(), "김민수");
    assert_eq!(normalize_operator(" "), Err(NameError::Empty));
    assert_eq!(normalize_operator(""), Err(NameError::Empty));
    assert_eq!(
        normalize_operator("eve\n2026-01-01 admin"),
        Err(NameError::ControlCharacter(0x0A))
    );
    assert_eq!(
        normalize_operator("eve\u{1b}[2K"),
        Err(NameError::ControlCharacter(0x1B))
    );
    assert_eq!(
        normalize_operator("ro\u{200B}ot"),
        Err(NameError::ControlCharacter(0x200B))
    );
    assert_eq!(
        normalize_operator("root\u{202E}"),
        Err(NameError::ControlCharacter(0x202E))
    );
    assert_eq!(
        normalize_operator("x\u{85}y"),
        Err(NameError::ControlCharacter(0x85))
    );
    assert_eq!(
        normalize_operator(&"가".repeat(65)),
        Err(NameError::TooLong)
    );
    assert_eq!(
        normalize_operator(&"가".repeat(64)).unwrap(),
        "가".repeat(64)
    );
    assert_eq!(normalize_operator("kim lee").unwrap(), "kim lee");
    // Unlock and add normalize the same way.
    let (slots, key) = KeySlots::create(" 김민수 ", "민수의 비밀번호", FAST).unwrap();
    assert_eq!(slots.unlock(&decomposed, "민수의 비밀번호").unwrap(), key);
    assert!(matches!(
        KeySlots::create("a\nb", "long enough", FAST),
        Err(KeySlotError::InvalidName(NameError::ControlCharacter(0x0A)))
    ));
}

#[test]
fn key_file_loses_one_trailing_line_ending_only() {
    assert_eq!(
        &*passphrase_from_key_file(b"secret pass\n").unwrap(),
        "secret pass"
    );
    assert_eq!(
        &*passphrase_from_key_file(b"secret pass\r\n").unwrap(),
        "secret pass"
    );
    assert_eq!(
        &*passphrase_from_key_file(b"secret pass").unwrap(),
        "secret pass"
    );
    assert_eq!(
        &*passphrase_from_key_file(b" spaced \n").unwrap(),
        " spaced "
    );
    assert!(matches!(
        passphrase_from_key_file(b"\n"),
        Err(KeySlotError::KeyFile(_))
    ));
    assert!(matches!(
        passphrase_from_key_file(b"a\n\n"),
        Err(KeySlotError::KeyFile(_))
    ));
    assert!(matches!(
        passphrase_from_key_file(b"\xff\xfe"),
        Err(KeySlotError::KeyFile(_))
    ));
}

#[test]
fn debug_never_shows_the_key() {
    let key = DbKey::generate().unwrap();
    assert_eq!(format!("{key:?}"), "DbKey(..)");
    let statement = key.pragma_statement("key");
    assert!(statement.starts_with("PRAGMA key = 'raw:"));
    assert_eq!(statement.len(), "PRAGMA key = 'raw:'".len() + 64);
    assert_ne!(DbKey::generate().unwrap(), key);
}
