//! The fast path (`Mlp::forward_train` / `backward` over feature-major
//! batches, fused ReLU kernels, lane back ends) against the plain one-point
//! loops of `net::reference`, on many shapes, every activation and every
//! output and loss: the batch's gradient is the mean of the points' gradients,
//! and each point's layer values are the reference's.

use backprop::net::reference::one_point;
use backprop::{Activation, ActivationKind, InitKind, Mlp, OutputLoss, Workspace};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Both compute the same sums; the fast one in another order for the batch
/// mean (eight partial sums per output), so they agree to rounding: far
/// below any difference a wrong formula makes.
const TOLERANCE: f64 = 1e-12;

const KINDS: [ActivationKind; 7] = [
    ActivationKind::Relu,
    ActivationKind::LeakyRelu,
    ActivationKind::Tanh,
    ActivationKind::Sigmoid,
    ActivationKind::Elu,
    ActivationKind::Gelu,
    ActivationKind::Linear,
];
const OUTPUTS: [OutputLoss; 3] = [
    OutputLoss::SigmoidBce,
    OutputLoss::SoftmaxCe,
    OutputLoss::IdentityMse,
];
/// Hidden widths: one unit, narrower and wider than a lane block of 8, deep.
const HIDDEN: [&[usize]; 5] = [&[1], &[10, 8], &[9, 17], &[3, 3, 3, 3], &[33]];
/// Batch sizes around the kernels' blocks of 8 rows.
const ROWS: [usize; 4] = [1, 7, 8, 21];

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOLERANCE * (1.0 + a.abs().max(b.abs()))
}

fn case(
    kind: ActivationKind,
    output: OutputLoss,
    hidden: &[usize],
    rows: usize,
    seed: u64,
) -> (Mlp, Vec<f64>, Vec<f64>) {
    let n_out = if output == OutputLoss::SoftmaxCe { 3 } else { 2 };
    let sizes: Vec<usize> = [2].iter().chain(hidden).chain([n_out].iter()).copied().collect();
    let act = Activation::from_kind(kind, 0.01, 1.0);
    let mut mlp = Mlp::new(&sizes, &vec![act; hidden.len()], output, false).expect("valid");
    let mut rng = StdRng::seed_from_u64(seed);
    mlp.init(InitKind::XavierNormal, 0.5, &mut rng);
    for p in mlp.params.iter_mut() {
        *p += rng.random_range(-0.3..0.3);
    }
    let x: Vec<f64> = (0..rows * 2).map(|_| rng.random_range(-2.0..2.0)).collect();
    let mut t = vec![0.0; rows * n_out];
    for r in 0..rows {
        match output {
            OutputLoss::SoftmaxCe => t[r * n_out + rng.random_range(0..n_out)] = 1.0,
            OutputLoss::SigmoidBce => t[r * n_out] = f64::from(u8::from(rng.random::<bool>())),
            OutputLoss::IdentityMse => t[r * n_out] = rng.random_range(-1.0..1.0),
        }
    }
    (mlp, x, t)
}

#[test]
fn the_fast_path_computes_what_the_plain_loops_compute() {
    let mut cases = 0;
    for (k, &kind) in KINDS.iter().enumerate() {
        for (o, &output) in OUTPUTS.iter().enumerate() {
            for (h, &hidden) in HIDDEN.iter().enumerate() {
                for &rows in &ROWS {
                    let seed = (k * 100 + o * 10 + h) as u64 * 31 + rows as u64;
                    let (mut mlp, x, t) = case(kind, output, hidden, rows, seed);
                    let n_out = mlp.n_out();
                    let mut ws = Workspace::new(&mlp, rows);
                    assert_eq!(ws.load(&x, &t), rows);
                    let loss = mlp.forward_train(&mut ws, rows, false);
                    mlp.backward(&mut ws, rows, false);

                    let (mut mean_loss, mut mean_grads) = (0.0, vec![0.0; mlp.params.len()]);
                    for r in 0..rows {
                        let (l, passes) =
                            one_point(&mlp, &x[2 * r..2 * r + 2], &t[r * n_out..(r + 1) * n_out]);
                        mean_loss += l / rows as f64;
                        assert_eq!(passes.len(), mlp.layers().len());
                        for (l, (layer, pass)) in mlp.layers().iter().zip(&passes).enumerate() {
                            // This point's values are column r of the fast path's feature-major buffers.
                            for j in 0..layer.n_out {
                                let (z, a) = (ws.z[l][j * rows + r], ws.a[l][j * rows + r]);
                                assert!(
                                    close(z, pass.z[j]),
                                    "{kind:?} {output:?} {hidden:?} rows {rows}: z[{l}][{j}]"
                                );
                                assert!(
                                    close(a, pass.a[j]),
                                    "{kind:?} {output:?} {hidden:?} rows {rows}: a[{l}][{j}]"
                                );
                            }
                            for (g, &d) in mean_grads[layer.w_range()].iter_mut().zip(&pass.dw) {
                                *g += d / rows as f64;
                            }
                            for (g, &d) in mean_grads[layer.b_range()].iter_mut().zip(&pass.db) {
                                *g += d / rows as f64;
                            }
                        }
                    }
                    assert!(
                        close(loss, mean_loss),
                        "{kind:?} {output:?} {hidden:?} rows {rows}: loss {loss} vs {mean_loss}"
                    );
                    assert_eq!(ws.grads.len(), mean_grads.len());
                    for (i, (&fast, &plain)) in ws.grads.iter().zip(&mean_grads).enumerate() {
                        assert!(
                            close(fast, plain),
                            "{kind:?} {output:?} {hidden:?} rows {rows}: gradient {i}: fast {fast} vs plain {plain}"
                        );
                    }
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, KINDS.len() * OUTPUTS.len() * HIDDEN.len() * ROWS.len());
}
