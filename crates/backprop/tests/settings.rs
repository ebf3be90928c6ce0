//! The page's settings table and its check: every key's bounds (each end and
//! just outside it), every kind of value, every rule between keys and which
//! key it gives up, the table's `live` and `when` against what the engine
//! does, and the way from settings to a config and back.

use backprop::io::json::{Json, parse};
use backprop::range::Bound;
use backprop::settings::{
    Checked, Issue, Kind, Named, Problem, Resolved, Settings, TABLE, from_config, read, resolve, spec, table,
};
use backprop::{TrainConfig, Trainer};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// The fields of a JSON object written in the test.
fn object(text: &str) -> Vec<(String, Json)> {
    match parse(text) {
        Ok(Json::Obj(fields)) => fields,
        other => panic!("{text} is not a JSON object: {other:?}"),
    }
}

fn check(text: &str) -> Resolved {
    resolve(&object(text), None)
}

/// `(key, value, code)` of each problem.
fn summary(problems: &[Problem]) -> Vec<(String, String, String)> {
    problems
        .iter()
        .map(|p| {
            let code = serde_json::to_value(&p.issue).expect("serialises")["code"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            (p.key.clone(), p.value.clone(), code)
        })
        .collect()
}

fn one(key: &str, value: &str, code: &str) -> Vec<(String, String, String)> {
    vec![(key.into(), value.into(), code.into())]
}

#[test]
fn the_defaults_are_the_tutorials_run_and_keep_every_rule() {
    assert_eq!(Settings::default().to_config(), TrainConfig::default());
    let r = check("{}");
    assert_eq!(r.problems, vec![]);
    assert_eq!(*r.settings, Settings::default());
    let keys: Vec<&str> = TABLE.iter().map(|s| s.key).collect();
    let listed: Vec<&str> = table().keys.iter().map(|s| s.key).collect();
    assert_eq!(keys, listed);
    for (i, key) in keys.iter().enumerate() {
        assert!(!keys[..i].contains(key), "{key} is listed twice");
        assert!(Settings::default().get(key).is_some(), "{key} has no value");
    }
    assert_eq!(Settings::default().get("nope"), None);
}

/// Just below and just above `b` (the next representable numbers).
fn around(b: Bound, whole: bool) -> (f64, f64) {
    if whole {
        (b.value - 1.0, b.value + 1.0)
    } else {
        (b.value.next_down(), b.value.next_up())
    }
}

#[test]
fn every_number_accepts_its_ends_and_rejects_just_outside_them() {
    let mut checked = 0;
    for spec in TABLE {
        let (range, whole) = match spec.kind {
            Kind::Number(r) => (r, false),
            Kind::Whole(r) => (r, true),
            _ => continue,
        };
        // One key alone breaks no rule between keys at any of its values here.
        let accepts = |x: f64| {
            resolve(&[(spec.key.to_string(), Json::Float(x))], None)
                .problems
                .is_empty()
        };
        let min = range.min.expect("every range has a lower end");
        let (below, above) = around(min, whole);
        if min.inclusive {
            assert!(
                accepts(min.value),
                "{} rejects its minimum {}",
                spec.key,
                min.value
            );
            assert!(!accepts(below), "{} accepts {below}, below its minimum", spec.key);
        } else {
            assert!(
                !accepts(min.value),
                "{} accepts its open end {}",
                spec.key,
                min.value
            );
            assert!(
                accepts(above),
                "{} rejects {above}, just above its open end",
                spec.key
            );
        }
        match range.max {
            Some(max) => {
                let (below, above) = around(max, whole);
                if max.inclusive {
                    assert!(
                        accepts(max.value),
                        "{} rejects its maximum {}",
                        spec.key,
                        max.value
                    );
                    assert!(!accepts(above), "{} accepts {above}, above its maximum", spec.key);
                } else {
                    assert!(
                        !accepts(max.value),
                        "{} accepts its open end {}",
                        spec.key,
                        max.value
                    );
                    assert!(
                        accepts(below),
                        "{} rejects {below}, just below its open end",
                        spec.key
                    );
                }
            }
            None => {
                assert!(accepts(1e300), "{} rejects a large finite number", spec.key);
            }
        }
        for junk in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(!accepts(junk), "{} accepts {junk}", spec.key);
        }
        checked += 1;
    }
    assert_eq!(checked, 16, "numeric keys checked");
}

#[test]
fn the_bounds_are_the_documented_ones() {
    let cases: &[(&str, &str, bool)] = &[
        ("n", "1", true),
        ("n", "100000", true),
        ("n", "0", false),
        ("n", "100001", false),
        ("n", "2.5", false),
        ("noise", "0", true),
        ("noise", "10", true),
        ("noise", "10.000000000000002", false),
        ("ratio", "0", false),
        ("ratio", "1", false),
        ("ratio", "0.999", true),
        ("seed", "9007199254740991", true),
        ("seed", "9007199254740992", false),
        ("seed", "-1", false),
        ("lr", "0", false),
        ("lr", "1e-300", true),
        ("lr", "1000000", true),
        ("lr", "1000000.0000000001", false),
        ("momentum", "0", true),
        ("momentum", "1", false),
        ("beta2", "0.99999999", true),
        ("eps", "0", false),
        ("eps", "1e-300", true),
        ("sched_gamma", "0", false),
        ("sched_gamma", "1", true),
        ("sched_epochs", "0", false),
        ("sched_epochs", "4294967295", true),
        ("sched_epochs", "4294967296", false),
        ("batch", "0", true),
        ("batch", "100000", true),
        ("batch", "100001", false),
        ("lambda", "10", true),
        ("lambda", "-0.1", false),
        ("clip_at", "0", false),
        ("clip_at", "1e300", true),
    ];
    for &(key, value, ok) in cases {
        let r = check(&format!(r#"{{"{key}": "{value}"}}"#));
        if ok {
            assert_eq!(r.problems, vec![], "{key}={value}");
            assert_eq!(
                r.settings.get(key),
                spec(key).and_then(|s| s.read(&Json::Str(value.into())).ok())
            );
        } else {
            let s = summary(&r.problems);
            assert_eq!(s.len(), 1, "{key}={value}: {s:?}");
            assert_eq!(
                (s[0].0.as_str(), s[0].1.as_str()),
                (key, value),
                "the problem names the key and the value"
            );
            assert_eq!(
                r.settings.get(key),
                Settings::default().get(key),
                "{key} keeps its default"
            );
        }
    }
}

#[test]
fn values_read_from_links_and_from_javascript_alike() {
    let r = check(
        r#"{"bn": "1", "standardize": false, "layers": "16,8,4", "optimizer": "adam", "lr": 0.03, "seed": "12", "n": 200}"#,
    );
    assert_eq!(r.problems, vec![]);
    let s = &r.settings;
    assert!(s.bn && !s.standardize);
    assert_eq!(s.layers, vec![16, 8, 4]);
    assert_eq!((s.lr, s.seed, s.n), (0.03, 12, 200));
    for (layers, sizes) in [
        (r#""-""#, vec![]),
        (r#""""#, vec![]),
        ("[4, 2]", vec![4, 2]),
        (r#""4""#, vec![4]),
        ("4", vec![4]),
    ] {
        let r = check(&format!(r#"{{"layers": {layers}}}"#));
        assert_eq!(
            (r.problems.len(), r.settings.layers.clone()),
            (0, sizes),
            "layers={layers}"
        );
    }
    let bad: &[(&str, &str, &str)] = &[
        (r#""bn": "yes""#, "yes", "not_bool"),
        (r#""bn": 2"#, "2", "not_bool"),
        (r#""lr": "fast""#, "fast", "not_number"),
        (r#""lr": "0x10""#, "0x10", "not_number"),
        (r#""lr": "Infinity""#, "Infinity", "not_number"),
        (r#""lr": """#, "", "not_number"),
        (r#""seed": 1.5"#, "1.5", "not_whole"),
        (r#""optimizer": "adamx""#, "adamx", "one_of"),
        (r#""optimizer": 3"#, "3", "one_of"),
        (r#""layers": "10,x""#, "10,x", "not_layers"),
        (r#""layers": "1.5""#, "1.5", "not_layers"),
        (r#""layers": "10,0""#, "10,0", "layer_width"),
        (r#""layers": [4097]"#, "4097", "layer_width"),
        (r#""layers": "-3""#, "-3", "layer_width"),
    ];
    for &(field, value, code) in bad {
        let r = check(&format!("{{{field}}}"));
        let key = field.split('"').nth(1).unwrap_or_default();
        assert_eq!(summary(&r.problems), one(key, value, code), "{field}");
        assert_eq!(r.settings.get(key), Settings::default().get(key));
    }
    let many = format!(r#"{{"layers": "{}"}}"#, vec!["4"; 32].join(","));
    assert_eq!(summary(&check(&many).problems)[0].2, "too_many_layers");
    let most = format!(r#"{{"layers": "{}"}}"#, vec!["4"; 31].join(","));
    assert_eq!(check(&most).problems, vec![], "31 hidden layers are allowed");
    let r = check(r#"{"bogus": 1, "lr": 0.5}"#);
    assert_eq!(summary(&r.problems), one("bogus", "1", "unknown_key"));
    assert_eq!(r.settings.lr, 0.5, "the other keys are kept");
}

#[test]
fn every_problem_is_reported_not_only_the_first() {
    let r = check(r#"{"lr": 0, "noise": -1, "optimizer": "adamx", "layers": "0", "batch": 0.5, "seed": 3}"#);
    let mut keys: Vec<String> = r.problems.iter().map(|p| p.key.clone()).collect();
    keys.sort();
    assert_eq!(keys, ["batch", "layers", "lr", "noise", "optimizer"]);
    assert_eq!(r.settings.seed, 3);
    for p in &r.problems {
        assert!(
            p.message.starts_with(&format!("{}={}: ", p.key, p.value)),
            "{}",
            p.message
        );
    }
    // Settings that must be used as given fail with all of them at once.
    let e = read(&object(r#"{"lr": 0, "n": 0, "seed": 3}"#)).expect_err("two problems");
    assert_eq!(e.field(), "settings");
    let text = e.to_string();
    assert!(
        text.contains("lr=0: must be in (0, 1000000]") && text.contains("n=0: must be in [1, 100000]"),
        "{text}"
    );
}

#[test]
fn a_warm_up_longer_than_its_schedule_gives_up_sched_epochs_and_keeps_the_rest() {
    let r = check(r#"{"schedule": "warmup_cosine", "sched_epochs": "1", "optimizer": "adam"}"#);
    assert_eq!(summary(&r.problems), one("sched_epochs", "1", "warmup"));
    assert!(
        r.problems[0].message.contains("warm-up"),
        "{}",
        r.problems[0].message
    );
    let s = &r.settings;
    assert_eq!(
        (s.schedule.name(), s.sched_epochs, s.optimizer.name()),
        ("warmup_cosine", 500, "adam")
    );
    assert!(s.to_config().validate().is_ok());
    // Two epochs leave one to anneal after a warm-up of one.
    let r = check(r#"{"schedule": "warmup_cosine", "sched_epochs": 2}"#);
    assert_eq!(r.problems, vec![]);
    // Changing the schedule of a run whose sched_epochs is 1 gives up the change instead.
    let base = object(r#"{"sched_epochs": 1, "optimizer": "adam"}"#);
    let r = resolve(&object(r#"{"schedule": "warmup_cosine"}"#), Some(&base));
    assert_eq!(summary(&r.problems), one("schedule", "warmup_cosine", "warmup"));
    assert_eq!(
        (r.settings.schedule.name(), r.settings.sched_epochs),
        ("constant", 1)
    );
}

#[test]
fn a_network_over_the_parameter_limit_gives_up_the_key_that_made_it() {
    // (175 + 2)(562 + 3) - 5 = 100,000 parameters exactly: 2·175 + 175 + 175·562 + 562 + 562 + 1.
    assert_eq!(check(r#"{"layers": "175,562"}"#).problems, vec![]);
    let r = check(r#"{"layers": "175,563", "lr": 0.2}"#);
    assert_eq!(summary(&r.problems), one("layers", "175,563", "too_many_params"));
    assert!(
        r.problems[0].message.contains("100177 parameters"),
        "{}",
        r.problems[0].message
    );
    assert_eq!((r.settings.layers.clone(), r.settings.lr), (vec![10, 8], 0.2));
    // The config's own check draws the line at the same place.
    let config =
        |hidden: &str| TrainConfig::from_json(&format!(r#"{{"network": {{"hidden": [{hidden}]}}}}"#));
    assert!(config("175,562").is_ok());
    assert_eq!(config("175,563").expect_err("too big").field(), "network.layers");

    // 313,313 fits (99,535); batch norm adds 1,252 and does not.
    let base = object(r#"{"layers": "313,313"}"#);
    assert_eq!(resolve(&[], Some(&base)).problems, vec![]);
    let r = resolve(&object(r#"{"bn": true}"#), Some(&base));
    assert_eq!(summary(&r.problems), one("bn", "1", "too_many_params"));
    assert!(!r.settings.bn && r.settings.layers == vec![313, 313]);
    // Three classes widen the output layer past the limit too.
    let r = resolve(&object(r#"{"dataset": "spiral3"}"#), Some(&base));
    assert_eq!(summary(&r.problems), one("dataset", "spiral3", "too_many_params"));
    // From a link, the layers go first.
    let r = check(r#"{"layers": "313,313", "bn": 1}"#);
    assert_eq!(summary(&r.problems), one("layers", "313,313", "too_many_params"));
    assert!(r.settings.bn);
}

#[test]
fn buffers_over_the_limit_give_up_the_key_that_made_them() {
    // 80,000 training rows (100,000 points, 0.8) × (2 + 47 + 1) = 4,000,000 values exactly.
    assert_eq!(check(r#"{"n": 100000, "layers": "47"}"#).problems, vec![]);
    let r = check(r#"{"n": 100000, "layers": "48"}"#);
    assert_eq!(summary(&r.problems), one("layers", "48", "too_many_values"));
    assert_eq!(r.settings.n, 100_000);
    // The run's own check, on the points it made, draws the line at the same place.
    let run = |hidden: usize| {
        let text = format!(r#"{{"dataset": {{"n_samples": 100000}}, "network": {{"hidden": [{hidden}]}}}}"#);
        Trainer::new(TrainConfig::from_json(&text).expect("a valid config"))
    };
    assert!(run(47).is_ok());
    assert_eq!(run(48).expect_err("too many values").field(), "network.hidden");
    // A slider moving n up gives up n, not the network.
    let base = object(r#"{"layers": "48"}"#);
    let r = resolve(&object(r#"{"n": 100000}"#), Some(&base));
    assert_eq!(summary(&r.problems), one("n", "100000", "too_many_values"));
    assert_eq!((r.settings.n, r.settings.layers.clone()), (1000, vec![48]));
    // The tutorial's data has 800 training rows whatever n says.
    assert_eq!(
        check(r#"{"dataset": "tutorial", "n": 100000, "layers": "1000"}"#).problems,
        vec![]
    );
}

#[test]
fn a_rejected_change_keeps_the_previous_value_not_the_default() {
    let base = object(r#"{"lr": 0.5, "optimizer": "adam"}"#);
    let r = resolve(&object(r#"{"lr": -1}"#), Some(&base));
    assert_eq!(summary(&r.problems), one("lr", "-1", "outside"));
    assert_eq!((r.settings.lr, r.settings.optimizer.name()), (0.5, "adam"));
}

/// Another valid value of `key` than its default.
fn another(key: &str) -> Json {
    match key {
        "dataset" => Json::Str("circles".into()),
        "custom" => Json::Str("curve".into()),
        "layers" => Json::Str("4".into()),
        "activation" => Json::Str("tanh".into()),
        "activations" => Json::Str("tanh,relu".into()),
        "features" => Json::Str("x1_sq,x2_sq".into()),
        "init" => Json::Str("zeros".into()),
        "optimizer" => Json::Str("adam".into()),
        "schedule" => Json::Str("cosine".into()),
        "reg" => Json::Str("l2".into()),
        "clip" => Json::Str("norm".into()),
        "standardize" | "bn" => Json::Str("toggle".into()),
        "n" => Json::Int(300),
        "seed" => Json::Int(7),
        "sched_epochs" => Json::Int(40),
        "batch" => Json::Int(32),
        "bug_seed" => Json::Int(9),
        _ => Json::Float(0.25),
    }
}

fn with(base: &Settings, key: &str) -> Settings {
    let mut fields = vec![];
    for spec in TABLE {
        if let Some(v) = base.get(spec.key) {
            fields.push((
                spec.key.to_string(),
                serde_json::to_string(&v)
                    .ok()
                    .and_then(|t| parse(&t).ok())
                    .unwrap_or(Json::Null),
            ));
        }
    }
    let value = match another(key) {
        Json::Str(s) if s == "toggle" => {
            Json::Bool(base.get(key) != Some(backprop::settings::Value::Bool(true)))
        }
        v => v,
    };
    let r = resolve(&[(key.to_string(), value)], Some(&fields));
    assert_eq!(r.problems, vec![], "{key}");
    (*r.settings).clone()
}

#[test]
fn a_key_changes_the_config_exactly_when_its_table_says_it_matters() {
    let mut seen = 0;
    for spec in TABLE {
        // Each value of the key it depends on, or the defaults alone.
        let bases: Vec<Settings> = match spec.when {
            Some(w) => {
                let Some(Kind::Choice(choices)) = backprop::settings::spec(w.key).map(|s| s.kind) else {
                    panic!("{} depends on {}, which is not a choice", spec.key, w.key);
                };
                choices
                    .iter()
                    .map(|c| (*check(&format!(r#"{{"{}": "{c}"}}"#, w.key)).settings).clone())
                    .collect()
            }
            None => vec![Settings::default()],
        };
        for base in bases {
            let changed = with(&base, spec.key);
            let differs = changed.to_config() != base.to_config();
            assert_eq!(
                differs,
                spec.in_config && spec.applies(&base),
                "{} with {:?}",
                spec.key,
                base.get(spec.when.map_or(spec.key, |w| w.key))
            );
            seen += 1;
        }
    }
    assert!(seen >= TABLE.len() + 20, "{seen} cases");
}

#[test]
fn exactly_the_live_keys_apply_to_a_running_run() {
    for spec in TABLE {
        // `custom`, which needs a fresh run but does not matter at the
        // defaults, is changed where it does: on hand-drawn points.
        let defaults = if spec.key == "custom" {
            read(&object(r#"{"dataset": "custom"}"#)).expect("valid")
        } else {
            Checked::default()
        };
        let mut run = defaults.start().expect("the defaults start");
        run.step_epoch();
        let changed = with(&defaults, spec.key);
        let checked = read(&object(&serde_json::to_string(&changed).expect("json"))).expect("valid");
        let applied = checked.apply_live(&mut run).expect("no error");
        assert_eq!(applied, spec.live, "{}", spec.key);
        if applied {
            assert_eq!(run.config(), &changed.to_config(), "{}", spec.key);
            assert_eq!(run.epoch(), 1, "{}: a live change keeps the run", spec.key);
        } else {
            assert_eq!(
                run.config(),
                &defaults.to_config(),
                "{}: the run is left as it was",
                spec.key
            );
        }
    }
}

#[test]
fn the_table_publishes_when_each_key_matters() {
    let t = table();
    let when = |key: &str| {
        let view = t.keys.iter().find(|s| s.key == key).expect("listed");
        view.when.as_ref().map(|w| (w.key, w.values.clone()))
    };
    assert_eq!(
        when("momentum"),
        Some(("optimizer", vec!["momentum", "nesterov"]))
    );
    assert_eq!(
        when("eps"),
        Some(("optimizer", vec!["rmsprop", "adam", "adamw", "adagrad"]))
    );
    assert_eq!(
        when("sched_epochs"),
        Some(("schedule", vec!["step", "cosine", "warmup_cosine", "cyclic"]))
    );
    assert_eq!(
        when("n"),
        Some((
            "dataset",
            vec![
                "moons",
                "circles",
                "xor",
                "gaussians",
                "spiral",
                "spiral3",
                "reg_plane",
                "reg_gauss",
                "sine",
                "sign",
                "abs",
                "cubic"
            ]
        ))
    );
    assert_eq!(when("custom"), Some(("dataset", vec!["custom"])));
    assert_eq!(when("lr"), None);
    let json = serde_json::to_value(&t).expect("serialises");
    assert_eq!(json["keys"][14]["key"], "lr");
    assert_eq!(
        json["keys"][14]["min"],
        serde_json::json!({"value": 0.0, "inclusive": false})
    );
    assert_eq!(
        json["keys"][14]["max"],
        serde_json::json!({"value": 1e6, "inclusive": true})
    );
    assert_eq!(json["keys"][7]["max_layers"], 31);
    assert_eq!(json["keys"][7]["default"], serde_json::json!([10, 8]));
}

#[test]
fn every_issue_code_is_published() {
    let range = backprop::range::Range::closed(0.0, 1.0);
    let examples = [
        Issue::UnknownKey,
        Issue::NotNumber,
        Issue::NotWhole,
        Issue::NotBool,
        Issue::OneOf { choices: &["a"] },
        Issue::Outside { range },
        Issue::NotLayers,
        Issue::TooManyLayers { max: 1 },
        Issue::LayerWidth { range },
        Issue::Indistinct { same_as: 1.0 },
        Issue::Warmup { warmup: 1, total: 1 },
        Issue::TooManyParams { count: 2, max: 1 },
        Issue::TooManyValues {
            rows: 1,
            count: 2,
            max: 1,
        },
        Issue::NoneChosen { choices: &["a"] },
        Issue::Twice { name: "a".into() },
        Issue::PerLayer { count: 1, layers: 2 },
    ];
    let codes: Vec<String> = examples
        .iter()
        .map(|i| {
            serde_json::to_value(i).expect("json")["code"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(codes, Issue::CODES);
}

/// Random settings the way links hold them: short decimals and the ends of each range.
fn random_input(rng: &mut StdRng) -> Vec<(String, Json)> {
    let mut fields = vec![];
    for spec in TABLE {
        if rng.random_range(0..3) != 0 {
            continue;
        }
        let value = match spec.kind {
            Kind::Number(r) | Kind::Whole(r) => {
                let lo = r.min.map_or(0.0, |b| b.value);
                let hi = r.max.map_or(lo + 10.0, |b| b.value).min(lo + 1e6);
                let x = match rng.random_range(0..4) {
                    0 => lo,
                    1 => hi,
                    _ => lo + (hi - lo) * rng.random::<f64>(),
                };
                let digits = rng.random_range(1..13);
                let x: f64 = format!("{x:.*e}", digits - 1).parse().unwrap_or(lo);
                Json::Str(if matches!(spec.kind, Kind::Whole(_)) {
                    format!("{}", x.round())
                } else {
                    format!("{x}")
                })
            }
            Kind::Bool => Json::Bool(rng.random()),
            Kind::Choice(c) => Json::Str(c[rng.random_range(0..c.len())].into()),
            Kind::Layers { .. } => {
                let n = rng.random_range(0..6);
                Json::Arr((0..n).map(|_| Json::Int(rng.random_range(1..200))).collect())
            }
            Kind::Set(c) | Kind::PerLayer { choices: c, .. } => {
                let n = rng.random_range(0..4);
                let names: Vec<&str> = (0..n).map(|_| c[rng.random_range(0..c.len())]).collect();
                Json::Str(names.join(","))
            }
        };
        fields.push((spec.key.to_string(), value));
    }
    fields
}

#[test]
fn checked_settings_always_make_a_valid_config_that_reads_back_the_same() {
    const CASES: usize = 3000;
    let mut rng = StdRng::seed_from_u64(18);
    let (mut clean, mut ran) = (0, 0);
    for _ in 0..CASES {
        let input = random_input(&mut rng);
        let r = resolve(&input, None);
        let config = r.settings.to_config();
        if let Err(e) = config.validate() {
            panic!("{input:?} checked as {:?} but the config fails: {e}", *r.settings);
        }
        if r.problems.is_empty() {
            clean += 1;
            // Every key given is kept as given.
            for (key, raw) in &input {
                let expected = spec(key).and_then(|s| s.read(raw).ok());
                assert_eq!(r.settings.get(key), expected, "{key}");
            }
        }
        // Back from the config: everything that matters, nothing lost.
        let (back, lost) = from_config(&config, &Checked::default());
        assert_eq!(lost, Vec::<String>::new(), "{input:?}");
        for spec in TABLE {
            if spec.in_config && spec.applies(&r.settings) {
                assert_eq!(
                    back.get(spec.key),
                    r.settings.get(spec.key),
                    "{} from {input:?}",
                    spec.key
                );
            }
        }
        assert_eq!(back.to_config(), config);
        ran += 1;
    }
    assert_eq!(ran, CASES);
    assert!(clean > CASES / 4, "only {clean} of {CASES} cases had no problem");
}

#[test]
fn a_checked_run_starts_without_checking_again_and_trains() {
    let r = check(
        r#"{"dataset": "xor", "layers": "8", "optimizer": "adam", "lr": 0.03, "schedule": "warmup_cosine", "sched_epochs": 20}"#,
    );
    let mut run = r.settings.start().expect("starts");
    for _ in 0..20 {
        run.step_epoch();
    }
    assert_eq!(run.config(), &r.settings.to_config());
    assert_eq!(
        Trainer::new(r.settings.to_config())
            .expect("the same config validates")
            .config(),
        run.config()
    );
}

#[test]
fn an_imported_config_maps_back_and_names_what_a_link_cannot_hold() {
    let config = TrainConfig::from_json(
        r#"{"seed": 4, "network": {"hidden": [64, 40]}, "optimizer": {"kind": "adamw", "lr": 0.002, "beta1": 0.8},
            "schedule": {"kind": "exponential", "gamma": 0.9937}}"#,
    )
    .expect("valid");
    let (s, lost) = from_config(&config, &Checked::default());
    assert_eq!(lost, Vec::<String>::new());
    assert_eq!(s.layers, vec![64, 40]);
    assert_eq!((s.seed, s.lr, s.beta1, s.sched_gamma), (4, 0.002, 0.8, 0.37));
    assert_eq!(s.optimizer.name(), "adamw");

    let config = TrainConfig::from_json(
        r#"{"network": {"hidden": [3, 3], "activations": ["tanh", "relu"], "leaky_slope": 0.2, "features": ["x2_sq", "x1"]},
            "optimizer": {"kind": "sgd", "lr": 0.1, "weight_decay": 0.01},
            "schedule": {"kind": "cosine", "t_max": 30, "eta_min": 0.001}, "seed": 9007199254740993}"#,
    )
    .expect("valid");
    let (s, lost) = from_config(&config, &Checked::default());
    assert_eq!(
        lost,
        [
            "network.features",
            "network.leaky_slope",
            "optimizer.weight_decay",
            "schedule.eta_min",
            "seed"
        ]
    );
    assert_eq!((s.sched_epochs, s.layers.clone(), s.seed), (30, vec![3, 3], 0));
    // Per-layer activations are held; features are held as a set, so the
    // order the config gives them in is what a link loses.
    let names = |v: Option<backprop::settings::Value>| v.map(|v| v.text());
    assert_eq!(names(s.get("activations")), Some("tanh,relu".into()));
    assert_eq!(names(s.get("features")), Some("x1,x2_sq".into()));

    // A warm-up the page's rule cannot make keeps the rest and says which fields it lost.
    let config =
        TrainConfig::from_json(r#"{"schedule": {"kind": "warmup_cosine", "warmup": 0, "total": 1}}"#)
            .expect("valid");
    let (s, lost) = from_config(&config, &Checked::default());
    assert_eq!(lost, ["schedule.total", "schedule.warmup"]);
    assert!(s.to_config().validate().is_ok());
}

#[test]
fn exponential_factors_of_up_to_twelve_digits_read_back_exactly() {
    // The factor per epoch, 1 - (1 - g) / 100, maps about a hundred neighbouring
    // numbers onto one: twelve significant digits is what survives it.
    const CASES: usize = 5000;
    let mut rng = StdRng::seed_from_u64(37);
    let mut kept = 0;
    for i in 0..CASES {
        let digits = 1 + i % 12;
        let g: f64 = format!("{:.*e}", digits - 1, rng.random_range(0.01..=1.0))
            .parse()
            .expect("a number");
        let r = check(&format!(r#"{{"schedule": "exponential", "sched_gamma": {g}}}"#));
        assert_eq!(r.problems, vec![], "{g}");
        let (back, lost) = from_config(&r.settings.to_config(), &Checked::default());
        assert_eq!((back.sched_gamma, lost.len()), (g, 0), "{g} ({digits} digits)");
        kept += 1;
    }
    assert_eq!(kept, CASES);
}

#[test]
fn an_exponential_factor_the_schedule_cannot_tell_apart_keeps_the_value_that_reads_back() {
    // 1 - (1 - g) / 100 is the same number for g = 1 and the float just below it.
    let r = check(r#"{"schedule": "exponential", "sched_gamma": "0.9999999999999998"}"#);
    assert_eq!(
        summary(&r.problems),
        one("sched_gamma", "0.9999999999999998", "indistinct")
    );
    assert!(
        r.problems[0]
            .message
            .ends_with("cannot tell it from 1 (the same factor per epoch)"),
        "{}",
        r.problems[0].message
    );
    assert_eq!(r.settings.sched_gamma, 1.0);
    let (back, lost) = from_config(&r.settings.to_config(), &Checked::default());
    assert_eq!((back.sched_gamma, lost.len()), (1.0, 0));
    // The step schedule uses the value as it is.
    let r = check(r#"{"schedule": "step", "sched_gamma": "0.9999999999999998"}"#);
    assert_eq!(
        (r.problems.len(), r.settings.sched_gamma),
        (0, 0.9999999999999998)
    );
}

#[test]
fn the_check_counts_the_training_rows_the_run_makes() {
    for text in [
        r#"{"dataset": "tutorial"}"#,
        r#"{"n": 7, "ratio": 0.5}"#,
        r#"{"n": 1, "ratio": 0.1}"#,
        r#"{"n": 999, "ratio": 0.333}"#,
        r#"{"dataset": "custom"}"#,
    ] {
        let settings = check(text).settings;
        let run = settings.start().expect("starts");
        assert_eq!(
            run.data().n_train(),
            settings.to_config().dataset.train_rows(),
            "{text}"
        );
    }
}
