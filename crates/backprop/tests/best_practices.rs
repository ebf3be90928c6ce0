//! Batch norm, gradient clipping and learning-rate schedules against PyTorch
//! (every case of `batchnorm.json`, `batchnorm_mlp.json`, `grad_clipping.json`
//! and `lr_schedules.json`).

mod common;

use backprop::batchnorm::{self, RunningStats};
use backprop::{Clipping, Schedule};
use common::{
    assert_close, assert_close_tol, f, flat, load, mat, mlp_from_case, rows_of, vec1, workspace_for,
};

/// Biases in front of batch norm have a true gradient of exactly 0; both sides
/// hold round-off (~1e-17 in the file), so they are compared absolutely.
const ZERO_GRAD_ABS: f64 = 1e-12;

#[test]
fn batchnorm_layer_matches_batchnorm1d() {
    let Some(b) = load("batchnorm.json") else { return };
    let x = mat(&b["X"]);
    let (m, n) = x.dim();
    let (gamma, beta) = (vec1(&b["gamma"]), vec1(&b["beta"]));
    let mut running = RunningStats::new(n);
    let (mut y, mut xhat, mut inv_std) = (vec![0.0; m * n], vec![0.0; m * n], vec![0.0; n]);
    // The layer works feature-major: [features, rows].
    let fm = |rows_major: &[f64], rows: usize| rows_of(rows_major, rows, n);
    let xs = fm(x.as_slice().expect("contiguous"), m);
    batchnorm::forward_train(
        &xs,
        &mut y,
        &mut xhat,
        &mut inv_std,
        &gamma,
        &beta,
        Some(&mut running),
        m,
        n,
    );
    assert_close("output", &rows_of(&y, n, m), &flat(&b["output"]));
    assert_close(
        "running_mean_after",
        &running.mean,
        &vec1(&b["running_mean_after"]),
    );
    assert_close("running_var_after", &running.var, &vec1(&b["running_var_after"]));
    let var_biased = vec1(&b["batch_var_biased"]);
    let expected_inv: Vec<f64> = var_biased.iter().map(|v| 1.0 / (v + 1e-5_f64).sqrt()).collect();
    assert_close("1/sqrt(batch_var_biased + eps)", &inv_std, &expected_inv);

    let g = fm(&flat(&b["upstream_grad"]), m);
    let (mut dz, mut dgamma, mut dbeta) = (vec![0.0; m * n], vec![0.0; n], vec![0.0; n]);
    batchnorm::backward_train(
        &g,
        &xhat,
        &inv_std,
        &gamma,
        &mut dz,
        &mut dgamma,
        &mut dbeta,
        m,
        n,
    );
    assert_close("grad_input", &rows_of(&dz, n, m), &flat(&b["grad_input"]));
    assert_close("grad_gamma", &dgamma, &vec1(&b["grad_gamma"]));
    assert_close("grad_beta", &dbeta, &vec1(&b["grad_beta"]));

    let mut eval = vec![0.0; m * n];
    batchnorm::forward_eval(&xs, &mut eval, &gamma, &beta, &running, m, n);
    assert_close(
        "eval_output_same_X",
        &rows_of(&eval, n, m),
        &flat(&b["eval_output_same_X"]),
    );
    let x_eval = mat(&b["X_eval"]);
    let me = x_eval.nrows();
    let mut eval2 = vec![0.0; me * n];
    let xe = fm(x_eval.as_slice().expect("contiguous"), me);
    batchnorm::forward_eval(&xe, &mut eval2, &gamma, &beta, &running, me, n);
    assert_close(
        "eval_output_X_eval",
        &rows_of(&eval2, n, me),
        &flat(&b["eval_output_X_eval"]),
    );

    let seq = &b["running_stats_sequence"];
    let mut running = RunningStats::new(n);
    let batches = seq["seq_batches"].as_array().expect("batches");
    for (k, batch) in batches.iter().enumerate() {
        let xb = mat(batch);
        let mb = xb.nrows();
        let (mut y, mut xh, mut is) = (vec![0.0; mb * n], vec![0.0; mb * n], vec![0.0; n]);
        let (ones, zeros) = (vec![1.0; n], vec![0.0; n]);
        let xbs = fm(xb.as_slice().expect("contiguous"), mb);
        batchnorm::forward_train(
            &xbs,
            &mut y,
            &mut xh,
            &mut is,
            &ones,
            &zeros,
            Some(&mut running),
            mb,
            n,
        );
        assert_close(
            &format!("running mean after batch {k}"),
            &running.mean,
            &flat(&seq["running_mean_after_each"][k]),
        );
        assert_close(
            &format!("running var after batch {k}"),
            &running.var,
            &flat(&seq["running_var_after_each"][k]),
        );
    }
}

#[test]
fn batchnorm_mlp_matches_pytorch() {
    let Some(c) = load("batchnorm_mlp.json") else {
        return;
    };
    let mut mlp = mlp_from_case(&c, true);
    for (l, layer) in mlp
        .layers()
        .to_vec()
        .iter()
        .enumerate()
        .take(mlp.layers().len() - 1)
    {
        let (g, b) = (layer.gamma_range().expect("bn"), layer.beta_range().expect("bn"));
        mlp.params[g].copy_from_slice(&vec1(&c["bn_gamma"][l]));
        mlp.params[b].copy_from_slice(&vec1(&c["bn_beta"][l]));
    }
    let (mut ws, rows) = workspace_for(&mlp, &c["X"], &c["y"]);
    let loss = mlp.forward_train(&mut ws, rows, true);
    let hidden = mlp.layers().len() - 1;
    for (l, fw) in c["forward"]
        .as_array()
        .expect("forward")
        .iter()
        .enumerate()
        .take(hidden)
    {
        let n = mlp.layers()[l].n_out;
        assert_close(&format!("z{l}"), &rows_of(&ws.z[l], n, rows), &flat(&fw["z"]));
        assert_close(&format!("bn{l}"), &rows_of(&ws.h[l], n, rows), &flat(&fw["bn"]));
        assert_close(&format!("a{l}"), &rows_of(&ws.a[l], n, rows), &flat(&fw["a"]));
    }
    assert_close(
        "output_preactivation",
        &ws.z[hidden][..rows],
        &flat(&c["output_preactivation"]),
    );
    assert_close(
        "output_activations",
        &ws.a[hidden][..rows],
        &flat(&c["output_activations"]),
    );
    assert_close("loss", &[loss], &[f(&c["loss"])]);
    mlp.backward(&mut ws, rows, false);
    for (l, layer) in mlp.layers().iter().enumerate() {
        assert_close(
            &format!("dW{l}"),
            &ws.grads[layer.w_range()],
            &flat(&c["grad_weights"][l]),
        );
        let db = &ws.grads[layer.b_range()];
        if layer.bn.is_some() {
            assert_close_tol(
                &format!("db{l} (exactly 0)"),
                db,
                &flat(&c["grad_biases"][l]),
                ZERO_GRAD_ABS,
                0.0,
            );
            let (g, b) = (layer.gamma_range().expect("bn"), layer.beta_range().expect("bn"));
            assert_close(&format!("dgamma{l}"), &ws.grads[g], &flat(&c["grad_bn_gamma"][l]));
            assert_close(&format!("dbeta{l}"), &ws.grads[b], &flat(&c["grad_bn_beta"][l]));
        } else {
            assert_close(&format!("db{l}"), db, &flat(&c["grad_biases"][l]));
        }
    }
    for l in 0..hidden {
        assert_close(
            &format!("running_mean{l}"),
            &mlp.running[l].mean,
            &flat(&c["running_mean_after"][l]),
        );
        assert_close(
            &format!("running_var{l}"),
            &mlp.running[l].var,
            &flat(&c["running_var_after"][l]),
        );
    }
    let x = flat(&c["X"]);
    let mut out = vec![0.0; rows];
    let mut eval_ws = backprop::Workspace::new(&mlp, 5); // several chunks: 16 rows, 5 at a time
    mlp.predict(&x, &mut out, &mut eval_ws);
    assert_close(
        "eval_output_activations",
        &out,
        &flat(&c["eval_output_activations"]),
    );
}

#[test]
fn every_clipping_case_matches_torch_nn_utils() {
    let Some(file) = load("grad_clipping.json") else {
        return;
    };
    let cases = file["cases"].as_array().expect("cases");
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let before: Vec<f64> = case["grads_before"]
            .as_array()
            .expect("grads")
            .iter()
            .flat_map(flat)
            .collect();
        let norm = &case["clip_grad_norm"];
        let mut g = before.clone();
        let report = Clipping::Norm {
            max_norm: f(&norm["max_norm"]),
        }
        .apply(&mut g);
        assert_close(
            &format!("{name} total_norm"),
            &[report.norm_before],
            &[f(&norm["total_norm"])],
        );
        assert_eq!(
            report.clipped,
            norm["was_clipped"].as_bool().expect("bool"),
            "{name} was_clipped"
        );
        let after: Vec<f64> = norm["grads_after"]
            .as_array()
            .expect("after")
            .iter()
            .flat_map(flat)
            .collect();
        assert_close(&format!("{name} clip_grad_norm"), &g, &after);
        assert!(
            backprop::clip::global_norm(&g) <= report.norm_before,
            "{name}: clipping never raises the norm"
        );

        let value = &case["clip_grad_value"];
        let mut g = before.clone();
        Clipping::Value {
            clip_value: f(&value["clip_value"]),
        }
        .apply(&mut g);
        let after: Vec<f64> = value["grads_after"]
            .as_array()
            .expect("after")
            .iter()
            .flat_map(flat)
            .collect();
        assert_close(&format!("{name} clip_grad_value"), &g, &after);
    }
    eprintln!("{} clipping cases matched", cases.len());
}

/// PyTorch computes these schedules recursively; they differ from the closed form by <= 1.4e-17.
const SCHEDULE_ABS: f64 = 1e-12;

#[test]
fn every_schedule_matches_torch_lr_scheduler() {
    let Some(file) = load("lr_schedules.json") else {
        return;
    };
    let base = f(&file["base_lr"]);
    let schedules = file["schedules"].as_array().expect("schedules");
    for s in schedules {
        let name = s["name"].as_str().expect("name");
        let call = s["torch_call"].as_str().unwrap_or("");
        let num = |key: &str| -> f64 {
            let at = call
                .find(&format!("{key}="))
                .unwrap_or_else(|| panic!("{name}: no {key} in {call}"));
            let rest = &call[at + key.len() + 1..];
            let end = rest.find([',', ')']).unwrap_or(rest.len());
            rest[..end]
                .trim()
                .parse()
                .unwrap_or_else(|e| panic!("{name}: {key}: {e}"))
        };
        let formula = s["formula"].as_str().unwrap_or("");
        let schedule = match name {
            n if n.starts_with("StepLR") => Schedule::Step {
                step_size: num("step_size") as u32,
                gamma: num("gamma"),
            },
            n if n.starts_with("ExponentialLR") => Schedule::Exponential { gamma: num("gamma") },
            n if n.starts_with("CosineAnnealingLR") => Schedule::Cosine {
                t_max: num("T_max") as u32,
                eta_min: num("eta_min"),
            },
            n if n.contains("Warmup") => {
                let grab = |key: &str| -> u32 {
                    let at = formula
                        .find(&format!("{key}="))
                        .or_else(|| call.find(&format!("{key}=")));
                    let text = if formula.contains(&format!("{key}=")) {
                        formula
                    } else {
                        call
                    };
                    let at = at.unwrap_or_else(|| panic!("{name}: no {key}"));
                    text[at + key.len() + 1..]
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .collect::<String>()
                        .parse()
                        .expect("int")
                };
                Schedule::WarmupCosine {
                    warmup: grab("warmup_epochs"),
                    total: grab("total_epochs"),
                }
            }
            other => panic!("unknown schedule {other}"),
        };
        schedule.validate().expect("valid schedule");
        let expected = vec1(&s["lr_pytorch"]);
        let got: Vec<f64> = (0..expected.len() as u64).map(|e| schedule.lr(base, e)).collect();
        assert_close_tol(name, &got, &expected, SCHEDULE_ABS, 0.0);
    }
    eprintln!("{} schedules matched", schedules.len());
}

#[test]
fn schedules_are_continuous_where_they_should_be() {
    let base = 0.1;
    // Cosine, warm-up-cosine and cyclic change by at most a bounded step per epoch.
    for (s, max_step) in [
        (
            Schedule::Cosine {
                t_max: 100,
                eta_min: 0.0,
            },
            base * std::f64::consts::PI / 200.0 + 1e-12,
        ),
        (
            Schedule::WarmupCosine {
                warmup: 10,
                total: 100,
            },
            base / 10.0 + 1e-12,
        ),
        (
            Schedule::Cyclic {
                max_lr: 0.5,
                step_size: 8,
            },
            (0.5 - base) / 8.0 + 1e-12,
        ),
    ] {
        for e in 0..300u64 {
            let (a, b) = (s.lr(base, e), s.lr(base, e + 1));
            assert!(
                (a - b).abs() <= max_step,
                "{s:?} jumps from {a} to {b} at epoch {e}"
            );
            assert!(a >= 0.0);
        }
    }
    let cyc = Schedule::Cyclic {
        max_lr: 0.5,
        step_size: 8,
    };
    assert_eq!(cyc.lr(base, 0), base);
    assert!((cyc.lr(base, 8) - 0.5).abs() < 1e-12);
    assert!((cyc.lr(base, 16) - base).abs() < 1e-12);
}
