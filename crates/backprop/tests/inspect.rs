//! Looking inside a run, and saving and loading it.

use backprop::io::csv::{export_csv, import_csv};
use backprop::io::model_io::{export_model, import_model};
use backprop::teach::inspect::{NeuronGrids, confusion, trace};
use backprop::teach::render::grid_points;
use backprop::{TrainConfig, Trainer};

fn trainer(json: &str) -> Trainer {
    Trainer::new(TrainConfig::from_json(json).expect("valid")).expect("valid")
}

#[test]
fn neuron_grids_cover_every_unit_and_the_output_matches_predict() {
    let mut t = trainer("{}");
    for _ in 0..20 {
        t.step_epoch();
    }
    let bounds = [-2.0, 3.0, -1.5, 2.0];
    let mut g = NeuronGrids::default();
    g.update(&t, 24, bounds);
    assert_eq!(g.units.len(), 10 + 8 + 1);
    assert_eq!(g.values.len(), 19 * 24 * 24);
    let mut pts = Vec::new();
    grid_points(24, bounds[0], bounds[1], bounds[2], bounds[3], &mut pts);
    let mut out = vec![0.0; 24 * 24];
    t.predict_data_space(&pts, &mut out);
    assert_eq!(
        &g.values[18 * 576..],
        &out[..],
        "the last unit is the network's output"
    );
}

#[test]
fn confusion_counts_agree_with_test_accuracy() {
    let mut t = trainer(r#"{"dataset":{"kind":"spiral3"},"optimizer":{"kind":"adam","lr":0.01}}"#);
    for _ in 0..50 {
        t.step_epoch();
    }
    let c = confusion(&t);
    assert_eq!(c.len(), 9);
    assert_eq!(c.iter().sum::<u32>() as usize, t.data().n_test());
    let correct = c[0] + c[4] + c[8];
    let acc = t.last_epoch().expect("epochs").test_acc;
    assert!((f64::from(correct) / t.data().n_test() as f64 - acc).abs() < 1e-12);
}

#[test]
fn per_sample_traces_average_to_the_batch_gradient() {
    let mut t = trainer(r#"{"dataset":{"n_samples":60}}"#);
    let train: Vec<usize> = t.data().train_points.iter().map(|&p| p as usize).collect();
    let traces: Vec<_> = train
        .iter()
        .map(|&i| trace(&t, i).expect("no batch norm"))
        .collect();
    let w2 = t.model().params[t.model().layers()[2].w_range()].to_vec();
    t.step_batch(); // full batch: its gradient is at the parameters the traces used
    let n = train.len() as f64;
    for (l, layer) in t.model().layers().iter().enumerate() {
        for (k, i) in layer.w_range().enumerate() {
            let mean: f64 = traces.iter().map(|tr| tr.layers[l].dw[k]).sum::<f64>() / n;
            assert!(
                (mean - t.grads()[i]).abs() < 1e-12,
                "layer {l} w[{k}]: {mean} vs {}",
                t.grads()[i]
            );
        }
    }
    let tr = &traces[0];
    // The output delta of sigmoid + BCE is a - y.
    let out = tr.layers.last().expect("layers");
    assert!((out.delta[0] - (out.a[0] - tr.target[0])).abs() < 1e-15);
    // A hidden delta is (δ_next · W_nextᵀ) ⊙ f'(z).
    for (j, &w) in w2.iter().enumerate() {
        let back = out.delta[0] * w;
        assert!(
            (tr.layers[1].delta[j] - back * tr.layers[1].f_prime[j]).abs() < 1e-15,
            "{j}: {} vs {back} * {}",
            tr.layers[1].delta[j],
            tr.layers[1].f_prime[j]
        );
    }
    let bn = trainer(r#"{"network":{"batch_norm":true}}"#);
    assert_eq!(trace(&bn, 0).expect_err("batch norm").field(), "trace");
    assert_eq!(
        trace(&t, 10_000).expect_err("no such point").field(),
        "trace.point"
    );
}

#[test]
fn export_then_import_predicts_and_continues_identically() {
    for json in [
        r#"{"optimizer":{"kind":"adam","lr":0.01},"batch_size":50,"network":{"batch_norm":true}}"#,
        r#"{"dataset":{"kind":"custom"}}"#,
    ] {
        let mut a = trainer(json);
        if a.data().is_empty() {
            for (i, (x, y)) in [(-1.0, 0.0), (1.0, 0.2), (-0.8, 0.5), (0.9, -0.3)]
                .into_iter()
                .enumerate()
            {
                a.add_point(x, y, (i % 2) as u8, false).expect("valid point");
            }
        }
        for _ in 0..3 {
            a.step_epoch();
        }
        let text = export_model(&a);
        let mut b = import_model(&text).expect("own export imports");
        assert_eq!(a.model().params, b.model().params);
        assert_eq!((a.epoch(), a.steps()), (b.epoch(), b.steps()));
        let pts = [0.3, -0.2, 1.5, 0.7];
        let (mut pa, mut pb) = ([0.0; 2], [0.0; 2]);
        a.predict_data_space(&pts, &mut pa);
        b.predict_data_space(&pts, &mut pb);
        assert_eq!(pa, pb);
        a.step_epoch();
        b.step_epoch();
        assert_eq!(
            a.model().params,
            b.model().params,
            "{json}: training continues identically"
        );
    }
}

#[test]
fn bad_model_files_name_the_field() {
    let good = export_model(&trainer("{}"));
    let cases = [
        (good.replace("backprop-playground/model", "other"), "model.format"),
        (good.replace("\"version\":1", "\"version\":7"), "model.version"),
        (good.replace("\"params\":[", "\"params\":[1.0,"), "model.params"),
        (
            good.replace("\"epoch\":", "\"extra\":1,\"epoch\":"),
            "model.extra",
        ),
        (good[..good.len() / 2].to_string(), "model"),
        ("[]".to_string(), "model"),
    ];
    for (text, field) in cases {
        let e = import_model(&text).map(|_| ()).expect_err(field);
        assert!(e.field().starts_with(field), "{field}: {e}");
    }
}

#[test]
fn csv_round_trips_and_bad_lines_are_named() {
    let t = trainer(r#"{"dataset":{"n_samples":30}}"#);
    let csv = export_csv(t.data());
    let back = import_csv(&csv, false, true).expect("own export imports");
    assert_eq!(back.points(), t.data().points());
    assert_eq!(back.labels(), t.data().labels());
    assert_eq!(back.test_flags(), t.data().test_flags());
    for (text, field, value) in [
        (
            "x,y,label\n0,0,0\n1,zz,1\n",
            "data.csv line 3, column 2 (y)",
            "zz",
        ),
        ("x,y,label\n0,0,9\n", "data.csv line 2, column 3 (label)", "9"),
        ("0,0,1,valid\n", "data.csv line 1, column 4 (split)", "valid"),
        ("0,0,1\n0,0\n", "data.csv line 2, column 3 (columns)", "2"),
        ("1e999,0,0\n", "data.csv line 1, column 1 (x)", "inf"),
    ] {
        let e = import_csv(text, false, true).map(|_| ()).expect_err(text);
        assert_eq!(e.field(), field);
        assert!(e.to_string().contains(value), "{e}");
    }
}

#[test]
fn layer_outputs_and_snapshots() {
    let mut t = trainer(r#"{"network":{"batch_norm":true},"batch_size":100}"#);
    t.step_epoch();
    let pts = [0.1, 0.2, -1.0, 0.5, 1.5, -0.3];
    let mut hidden = vec![0.0; 3 * 10];
    assert!(t.layer_outputs(&pts, 0, &mut hidden));
    assert!(hidden.iter().all(|&v| v >= 0.0), "ReLU outputs");
    let mut out = vec![0.0; 3];
    assert!(t.layer_outputs(&pts, 2, &mut out));
    let mut direct = vec![0.0; 3];
    t.predict_data_space(&pts, &mut direct);
    assert_eq!(out, direct, "the last layer's outputs are the predictions");
    assert!(!t.layer_outputs(&pts, 3, &mut out), "no layer 3");

    let early = t.snapshot();
    for _ in 0..20 {
        t.step_epoch();
    }
    let live = t.model().params.clone();
    let mut then = vec![0.0; 3];
    assert!(t.with_snapshot(&early, |t| t.predict_data_space(&pts, &mut then)));
    let mut now = vec![0.0; 3];
    t.predict_data_space(&pts, &mut now);
    assert_ne!(then, now, "the snapshot predicts as the network did then");
    assert_eq!(t.model().params, live, "the live parameters are restored");
    assert!(
        !t.with_snapshot(&early[1..], |_| {}),
        "a snapshot of another shape is refused"
    );
}

#[test]
fn per_sample_gradients_average_to_the_data_gradient_and_probes_agree() {
    use backprop::teach::inspect::{sample_loss, step_on_sample};
    let mut t = trainer(r#"{"dataset":{"n_samples":80}}"#);
    t.step_epoch();
    let train: Vec<usize> = t.data().train_points.iter().map(|&p| p as usize).collect();
    let full = t.data_gradient();
    let w = t.model().layers()[0].w + 3;
    let mean = train
        .iter()
        .map(|&i| trace(&t, i).expect("trace").layers[0].dw[3])
        .sum::<f64>()
        / train.len() as f64;
    assert!((mean - full[w]).abs() < 1e-12, "{mean} vs {}", full[w]);
    // A finite difference of one sample's loss matches its backprop gradient.
    let i = train[0];
    let g = trace(&t, i).expect("trace").layers[0].dw[3];
    let p0 = t.model().params[w];
    let h = 1e-6;
    let fd = (sample_loss(&t, i, Some((w, p0 + h))).expect("loss")
        - sample_loss(&t, i, Some((w, p0 - h))).expect("loss"))
        / (2.0 * h);
    assert!(
        (fd - g).abs() < 1e-6 * g.abs().max(1e-3),
        "fd {fd} vs backprop {g}"
    );
    // A step on one sample lowers that sample's loss.
    let before = sample_loss(&t, i, None).expect("loss");
    let after = step_on_sample(&mut t, i, 0.1).expect("step");
    assert!(after < before, "{after} >= {before}");
}
