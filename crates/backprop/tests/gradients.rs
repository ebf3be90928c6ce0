//! Forward values, losses and every gradient, against PyTorch autograd in
//! float64 (every case of `gradients.json`).

mod common;

use backprop::{OutputLoss, Regularization};
use common::{assert_close, f, flat, load, mlp_from_case, rows_of, workspace_for};
use serde_json::Value;

fn regularization(case: &Value) -> Regularization {
    match case["regularization"].as_object() {
        None => Regularization::None,
        Some(r) => {
            let lambda = f(&r["lambda"]);
            match r["type"].as_str() {
                Some("l1") => Regularization::L1 { lambda },
                Some("l2") => Regularization::L2 { lambda },
                other => panic!("unknown regularization {other:?}"),
            }
        }
    }
}

#[test]
fn every_gradient_case_matches_pytorch() {
    let Some(file) = load("gradients.json") else {
        return;
    };
    let cases = file["cases"].as_array().expect("cases");
    assert!(!cases.is_empty());
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let mut mlp = mlp_from_case(case, false);
        let targets = if mlp.output() == OutputLoss::SoftmaxCe {
            &case["y_onehot"]
        } else {
            &case["y"]
        };
        let (mut ws, rows) = workspace_for(&mlp, &case["X"], targets);
        let data_loss = mlp.forward_train(&mut ws, rows, true);
        let n_layers = mlp.layers().len();
        for (l, fw) in case["forward"].as_array().expect("forward").iter().enumerate() {
            let n = mlp.layers()[l].n_out;
            assert_close(
                &format!("{name} z{l}"),
                &rows_of(&ws.z[l], n, rows),
                &flat(&fw["z"]),
            );
            if l + 1 < n_layers {
                assert_close(
                    &format!("{name} a{l}"),
                    &rows_of(&ws.a[l], n, rows),
                    &flat(&fw["a"]),
                );
            }
        }
        let n_out = mlp.n_out();
        let out = rows_of(&ws.a[n_layers - 1], n_out, rows);
        assert_close(
            &format!("{name} output"),
            &out,
            &flat(&case["output_activations"]),
        );
        assert_close(
            &format!("{name} data_loss"),
            &[data_loss],
            &[f(&case["data_loss"])],
        );

        mlp.backward(&mut ws, rows, true);
        let reg = regularization(case);
        let penalty = mlp.regularize(reg, &mut ws.grads);
        assert_close(&format!("{name} reg_loss"), &[penalty], &[f(&case["reg_loss"])]);
        assert_close(
            &format!("{name} loss"),
            &[data_loss + penalty],
            &[f(&case["loss"])],
        );
        assert_close(
            &format!("{name} dz_out"),
            &rows_of(&ws.dz[n_layers - 1], n_out, rows),
            &flat(&case["grad_output_preactivation"]),
        );
        for (l, layer) in mlp.layers().iter().enumerate() {
            assert_close(
                &format!("{name} dW{l}"),
                &ws.grads[layer.w_range()],
                &flat(&case["grad_weights"][l]),
            );
            assert_close(
                &format!("{name} db{l}"),
                &ws.grads[layer.b_range()],
                &flat(&case["grad_biases"][l]),
            );
        }
        assert_close(
            &format!("{name} dX"),
            &rows_of(&ws.dx, mlp.n_in(), rows),
            &flat(&case["grad_X"]),
        );
    }
    eprintln!("{} gradient cases matched", cases.len());
}
