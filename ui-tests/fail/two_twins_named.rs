use twinproc::image_processor;

#[image_processor(cpu_twin = A, gpu_twin = B, size(shortest_edge = 224))]
pub struct MyImageProcessor;

fn main() {}
