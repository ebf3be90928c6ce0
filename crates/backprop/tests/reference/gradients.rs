//! `gradients.json`: forward values, losses and every gradient against
//! PyTorch autograd in float64, for every case (every hidden activation with
//! every output and loss, a mixed network, L1 and L2).

use backprop::{Activation, ActivationKind, OutputLoss, Regularization};
use serde_json::Value;

use crate::contract::{
    CONVENTIONS, Checked, DESCRIPTION, EXACT, Fields, GENERATOR, Loc, REFERENCE, Schema, compare, integer,
    keyword, list_of, text,
};
use crate::network::{layer_sizes, mlp, named, rows_of, set_params, workspace};

const ROOT: Schema = Schema {
    inputs: &[
        "activation_definitions",
        "loss_definitions",
        "regularization_definitions",
    ],
    compared: &["cases"],
    not_applicable: &[
        ("description", DESCRIPTION),
        ("conventions", CONVENTIONS),
        ("generator", GENERATOR),
        (
            "case_fields",
            "prose describing each case's fields, which CASE lists",
        ),
    ],
};

const CASE: Schema = Schema {
    inputs: &[
        "layer_sizes",
        "hidden_activations",
        "output_and_loss",
        "regularization",
        "batch_size",
        "X",
        "y",
        "weights",
        "biases",
    ],
    compared: &[
        "y_onehot",
        "forward",
        "output_activations",
        "data_loss",
        "data_loss_naive_bce",
        "reg_loss",
        "loss",
        "grad_weights",
        "grad_biases",
        "grad_X",
        "grad_output_preactivation",
    ],
    not_applicable: &[
        ("name", "a label: it names the case in messages"),
        (
            "seed",
            "the NumPy seed that drew X, the parameters and y, which the file holds themselves",
        ),
    ],
};

const FORWARD: Schema = Schema {
    inputs: &[],
    compared: &["z", "a"],
    not_applicable: &[],
};

const REGULARIZATION: Schema = Schema {
    inputs: &["type", "lambda"],
    compared: &[],
    not_applicable: &[],
};

pub fn check(root: &Value) -> Checked<usize> {
    let root = Fields::new(root, Loc::default(), &ROOT)?;
    let defs = Definitions::read(&root)?;
    let cases = root.cases("cases")?;
    for (loc, case) in &cases {
        check_case(Fields::case(case, loc.clone(), &CASE, "name")?, &defs)?;
    }
    root.finish()?;
    Ok(cases.len())
}

/// What the file's definitions allow its cases to name, with their parameters.
struct Definitions {
    activations: Vec<(String, Activation)>,
    losses: Vec<String>,
    penalties: Vec<String>,
}

impl Definitions {
    /// Every defined name must be one the engine has; leaky ReLU's slope and
    /// ELU's alpha are read from their definitions (`negative_slope=0.01`, `alpha=1.0`).
    fn read(root: &Fields) -> Checked<Self> {
        let mut activations = Vec::new();
        for (name, loc, definition) in definitions(root, "activation_definitions")? {
            let kind: ActivationKind = named(&loc, &Value::String(name.clone()))?;
            let definition = text(&loc, definition)?;
            let activation = match kind {
                ActivationKind::LeakyRelu => Activation::LeakyRelu {
                    slope: keyword(&loc, definition, "negative_slope")?,
                },
                ActivationKind::Elu => Activation::Elu {
                    alpha: keyword(&loc, definition, "alpha")?,
                },
                ActivationKind::Relu => Activation::Relu,
                ActivationKind::Tanh => Activation::Tanh,
                ActivationKind::Sigmoid => Activation::Sigmoid,
                ActivationKind::Gelu => Activation::Gelu,
                ActivationKind::Linear => Activation::Linear,
            };
            activations.push((name, activation));
        }
        let mut losses = Vec::new();
        for (name, loc, _) in definitions(root, "loss_definitions")? {
            named::<OutputLoss>(&loc, &Value::String(name.clone()))?;
            losses.push(name);
        }
        let mut penalties = Vec::new();
        for (name, loc, _) in definitions(root, "regularization_definitions")? {
            if !["l1", "l2"].contains(&name.as_str()) {
                return Err(loc.error("a penalty the engine does not have (l1, l2)"));
            }
            penalties.push(name);
        }
        Ok(Self {
            activations,
            losses,
            penalties,
        })
    }

    /// The activation named at `loc`, which the file must define.
    fn activation(&self, loc: &Loc, v: &Value) -> Checked<Activation> {
        let name = text(loc, v)?;
        self.activations
            .iter()
            .find(|(defined, _)| defined == name)
            .map(|&(_, activation)| activation)
            .ok_or_else(|| loc.error(format!("{name:?} is not in activation_definitions")))
    }

    /// The output and loss named at `loc`, which the file must define.
    fn output(&self, loc: &Loc, v: &Value) -> Checked<OutputLoss> {
        let name = text(loc, v)?;
        if !self.losses.iter().any(|defined| defined == name) {
            return Err(loc.error(format!("{name:?} is not in loss_definitions")));
        }
        named(loc, v)
    }
}

/// The entries of a definitions object: each name with where it is and its text.
fn definitions<'a>(root: &Fields<'a>, key: &str) -> Checked<Vec<(String, Loc, &'a Value)>> {
    let v = root.get(key)?;
    let map = v
        .as_object()
        .ok_or_else(|| root.loc(key).error("expected an object of definitions"))?;
    Ok(map
        .iter()
        .map(|(name, definition)| (name.clone(), root.loc(key).key(name), definition))
        .collect())
}

/// `null`, or `{type: "l1" | "l2", lambda}` on the weights only.
fn regularization(c: &Fields, defs: &Definitions) -> Checked<Regularization> {
    let v = c.get("regularization")?;
    if v.is_null() {
        return Ok(Regularization::None);
    }
    let r = Fields::new(v, c.loc("regularization"), &REGULARIZATION)?;
    let kind = r.text("type")?;
    if !defs.penalties.iter().any(|defined| defined == kind) {
        return Err(r
            .loc("type")
            .error(format!("{kind:?} is not in regularization_definitions")));
    }
    let lambda = r.number("lambda")?;
    r.finish()?;
    Ok(match kind {
        "l1" => Regularization::L1 { lambda },
        _ => Regularization::L2 { lambda },
    })
}

fn check_case(c: Fields, defs: &Definitions) -> Checked {
    let sizes = layer_sizes(&c, "layer_sizes")?;
    let (n_in, n_out, n_layers) = (sizes[0], sizes[sizes.len() - 1], sizes.len() - 1);
    let activations = c
        .list_of("hidden_activations", n_layers - 1)?
        .iter()
        .map(|(loc, v)| defs.activation(loc, v))
        .collect::<Checked<Vec<_>>>()?;
    let output = defs.output(&c.loc("output_and_loss"), c.get("output_and_loss")?)?;
    let reg = regularization(&c, defs)?;
    let mut net = mlp(&c.loc("layer_sizes"), &sizes, &activations, output, false)?;
    set_params(&mut net, c.entry("weights")?, c.entry("biases")?)?;
    let rows = c.integer("batch_size")?;
    let x = c.array("X", &[rows, n_in])?;
    let targets = match output {
        // Class indices; the loss takes them one-hot, as the file's y_onehot.
        OutputLoss::SoftmaxCe => {
            let (y_loc, y) = c.entry("y")?;
            let classes = list_of(&y_loc, y, rows)?;
            let mut onehot = vec![0.0; rows * n_out];
            for (r, (loc, class)) in classes.iter().enumerate() {
                let class = integer(loc, class)?;
                if class >= n_out {
                    return Err(loc.error(format!("class {class}, but the network has {n_out} outputs")));
                }
                onehot[r * n_out + class] = 1.0;
            }
            c.compare("y_onehot", &onehot, &[rows, n_out], EXACT)?;
            onehot
        }
        _ => c.array("y", &[rows, n_out])?,
    };

    let mut ws = workspace(&net, &x, &targets, rows);
    let data_loss = net.forward_train(&mut ws, rows, true);
    for (l, (loc, fw)) in c.list_of("forward", n_layers)?.into_iter().enumerate() {
        let fw = Fields::new(fw, loc, &FORWARD)?;
        let n = sizes[l + 1];
        fw.compare("z", &rows_of(&ws.z[l], n, rows), &[rows, n], REFERENCE)?;
        fw.compare("a", &rows_of(&ws.a[l], n, rows), &[rows, n], REFERENCE)?;
        fw.finish()?;
    }
    let last = n_layers - 1;
    c.compare(
        "output_activations",
        &rows_of(&ws.a[last], n_out, rows),
        &[rows, n_out],
        REFERENCE,
    )?;
    c.compare("data_loss", &[data_loss], &[], REFERENCE)?;
    // The naive sigmoid-then-log loss: the file says it agrees with the stable
    // one to ~1e-15 relative unless an output saturates, and to 1e-9 relative always.
    if output == OutputLoss::SigmoidBce {
        c.compare("data_loss_naive_bce", &[data_loss], &[], REFERENCE)?;
    } else if !c.get("data_loss_naive_bce")?.is_null() {
        return Err(c
            .loc("data_loss_naive_bce")
            .error("expected null: the naive form exists only for sigmoid_bce"));
    }

    net.backward(&mut ws, rows, true);
    let penalty = net.regularize(reg, &mut ws.grads);
    c.compare("reg_loss", &[penalty], &[], REFERENCE)?;
    c.compare("loss", &[data_loss + penalty], &[], REFERENCE)?;
    c.compare(
        "grad_output_preactivation",
        &rows_of(&ws.dz[last], n_out, rows),
        &[rows, n_out],
        REFERENCE,
    )?;
    let grad_weights = c.list_of("grad_weights", n_layers)?;
    let grad_biases = c.list_of("grad_biases", n_layers)?;
    for (l, layer) in net.layers().iter().enumerate() {
        let (loc, dw) = &grad_weights[l];
        compare(
            loc,
            &ws.grads[layer.w_range()],
            &[layer.n_in, layer.n_out],
            dw,
            REFERENCE,
        )?;
        let (loc, db) = &grad_biases[l];
        compare(loc, &ws.grads[layer.b_range()], &[layer.n_out], db, REFERENCE)?;
    }
    c.compare("grad_X", &rows_of(&ws.dx, n_in, rows), &[rows, n_in], REFERENCE)?;
    c.finish()
}
