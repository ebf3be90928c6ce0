//! Training-health figures: what each initialiser does to a network.

use backprop::{TrainConfig, Trainer};

fn trainer(json: &str) -> Trainer {
    Trainer::new(TrainConfig::from_json(json).expect("valid")).expect("valid")
}

#[test]
fn zeros_init_never_breaks_symmetry() {
    let mut t = trainer(r#"{"network":{"init":"zeros"}}"#);
    for _ in 0..20 {
        t.step_epoch();
    }
    let m = t.model();
    // With every weight 0, no hidden weight ever receives a gradient: the units stay identical.
    for layer in &m.layers()[..2] {
        assert!(m.params[layer.w_range()].iter().all(|&w| w == 0.0));
    }
    assert!(
        t.health()
            .iter()
            .take(2)
            .all(|h| h.grad_norm == 0.0 && h.weight_norm == 0.0)
    );
}

#[test]
fn dead_relus_are_counted() {
    let mut t = trainer("{}");
    let b = t.model().layers()[0].b_range();
    t.model_mut().params[b].fill(-100.0); // every unit of the first layer off for every input
    t.step_batch();
    let h = t.health();
    assert_eq!(h[0].dead_fraction, 1.0);
    assert_eq!(
        h[1].dead_fraction, 1.0,
        "nothing flows into the second layer either (its z = its bias = 0)"
    );
    let healthy = trainer("{}");
    let mut healthy = healthy;
    healthy.step_batch();
    assert!(healthy.health()[0].dead_fraction < 0.5);
}

#[test]
fn a_too_large_uniform_init_saturates_sigmoid_units_and_xavier_does_not() {
    let mut big = trainer(r#"{"network":{"activation":"sigmoid","init":"uniform","init_scale":10}}"#);
    let mut xavier = trainer(r#"{"network":{"activation":"sigmoid","init":"xavier_normal"}}"#);
    big.step_batch();
    xavier.step_batch();
    assert!(
        big.health()[1].saturated_fraction > 0.5,
        "{}",
        big.health()[1].saturated_fraction
    );
    assert!(
        xavier.health()[1].saturated_fraction < 0.1,
        "{}",
        xavier.health()[1].saturated_fraction
    );
}

#[test]
fn update_ratio_is_the_step_over_the_weights() {
    let mut t = trainer(r#"{"optimizer":{"kind":"sgd","lr":0.1}}"#);
    t.step_epoch();
    let before = t.model().params.clone();
    t.step_batch();
    let lr = t.last_step().lr;
    for (h, layer) in t.health().iter().zip(t.model().layers()) {
        let r = layer.w_range();
        // Plain SGD moves W by exactly -lr * dW.
        let step: f64 = t.grads()[r.clone()]
            .iter()
            .map(|g| (lr * g).powi(2))
            .sum::<f64>()
            .sqrt();
        let w: f64 = t.model().params[r.clone()]
            .iter()
            .map(|w| w * w)
            .sum::<f64>()
            .sqrt();
        assert!(
            (h.update_ratio - step / w).abs() <= 1e-12 * (step / w),
            "{} vs {}",
            h.update_ratio,
            step / w
        );
        assert_ne!(&before[r.clone()], &t.model().params[r]);
        let rows = t.last_step().rows as u32 * layer.n_out as u32;
        assert_eq!(h.activations.counts.iter().sum::<u32>(), rows);
        assert_eq!(h.gradients.counts.iter().sum::<u32>() + h.gradients.zeros, rows);
    }
}
