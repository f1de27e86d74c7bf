use twinproc::images_kwargs;

#[images_kwargs]
pub struct MyKwargs {
    /// A size of our own.
    pub size: Option<u32>,
}

fn main() {}
