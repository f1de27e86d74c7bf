use twinproc::{image_processor, images_kwargs};

#[images_kwargs]
pub struct TileKwargs {
    /// Edge of a tile.
    pub tile_size: Option<u32>,
}

#[image_processor(gpu_twin = SplitImageProcessorCuda, size(shortest_edge = 224), do_resize = true, resample = Bilinear)]
pub struct SplitImageProcessor;

#[image_processor(cpu_twin = SplitImageProcessor, kwargs = TileKwargs, size(shortest_edge = 224), do_resize = true, resample = Bilinear, tile_size = 512)]
pub struct SplitImageProcessorCuda;

fn main() {}
