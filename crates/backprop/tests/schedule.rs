//! Learning-rate schedules between and beyond the epochs PyTorch was asked
//! for: no jumps where a schedule is smooth, and the cycle's turning points.
//! (Every schedule against `torch.optim.lr_scheduler` is in the reference tests, `tests/reference`.)

use backprop::Schedule;

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

#[test]
fn the_curve_gives_each_epochs_rate_up_to_its_cap() {
    use backprop::train::schedule::MAX_CURVE_EPOCHS;
    // StepLR(step_size=2, gamma=0.5) from 0.1: halves every second epoch.
    let step = Schedule::Step {
        step_size: 2,
        gamma: 0.5,
    };
    assert_eq!(step.curve(0.1, 5), [0.1, 0.1, 0.05, 0.05, 0.025]);
    assert!(step.curve(0.1, 0).is_empty());
    assert_eq!(
        Schedule::Constant.curve(0.1, u64::MAX).len() as u64,
        MAX_CURVE_EPOCHS
    );
}
