/* The arithmetic of twinproc's CUDA kernels, in one header compiled twice: by NVRTC for the device,
 * and by the host C compiler for the test suite (`host.c`), so CI proves the device arithmetic equals
 * the CPU twin without a GPU.
 *
 * Every number a kernel computes is decided on the host: the tables (starts, lens, fixed-point
 * weights, nearest sources, per-level output values) come from the numeric core, the same ones the
 * CPU backend uses. The kernels only do integer multiply-adds, shifts, clamps and table lookups, so
 * there is no float rounding to disagree about (no FMA contraction, no op order).
 *
 * A resize of two passes runs its first pass as a stage (uint8 intermediate, as both references
 * keep it); the last pass is fused with the crop, rescale and normalize: each output element
 * computes its one resized sample and looks its value up, writing float32 CHW (or HWC) directly.
 * A resize that later resizes read is staged whole, and the outputs copy their windows from it.
 */
#ifndef TWINPROC_KERNELS_CUH
#define TWINPROC_KERNELS_CUH

#ifdef __CUDACC_RTC__
#define TP_FN __device__ __forceinline__
#else
#define TP_FN static inline
#endif
typedef long long tp_i64;

/* Pass kinds. */
#define TP_HORIZONTAL 0
#define TP_VERTICAL 1
#define TP_NEAREST 2
#define TP_COPY 3

/* How a pass reads its input's own channels as RGB (`convert_to_rgb`, `ToRgb` in the runtime). */
#define TP_KEEP 0
#define TP_GRAY 1
#define TP_GRAY_ALPHA 2
#define TP_RGBA 3

/* Buffers a pass reads: the uploaded inputs, or the stage. */
#define TP_FROM_INPUT 0
#define TP_FROM_STAGE 1

/* One pass giving `out_w` x `out_h` x `channels`, read through `convert` from a buffer of `in_w` x
 * `in_h` pixels (`in_channels` samples each). Coordinates are the pass's own, absolute: the buffer
 * holds the input pixels from column `in_x0` and row `in_y0` on (the part the outputs need), and a
 * first pass computes the rectangle of its output from `out_x0`, `out_y0` on. A last pass has
 * `out_w` x `out_h` = its whole output (windows read zeros outside it). `taps` indexes `starts` and
 * `lens` (or the nearest x sources), `aux` the nearest y sources, `weights` the fixed-point weights
 * (`ksize` per output). */
typedef struct {
    int kind;
    int convert;
    int in_channels;
    int in_w;
    int in_h;
    int out_w;
    int out_h;
    int channels;
    int taps;
    int aux;
    int weights;
    int ksize;
    int precision;
    int in_x0;
    int in_y0;
    int out_x0;
    int out_y0;
    int premultiply;
    int unpremultiply;
} tp_pass;

/* A pass written whole into the stage buffer at byte offset `dst`: the first pass of a two-pass
 * resize, or a pass of a resize that later resizes read (Idefics3 resizes a resize; such passes
 * run in waves, each launched after the waves whose results it reads). */
typedef struct {
    tp_i64 src;
    tp_i64 dst;
    int source;
    tp_pass pass;
} tp_stage_pass;

/* One output: the window `top, left, win_h, win_w` of the image the last `pass` gives, each level
 * mapped through the table at `lut`, written CHW or HWC into a canvas of `canvas_h` x `canvas_w`
 * pixels (at least the window; the rest stays zero: padding) at element offset `dst`. */
typedef struct {
    tp_i64 src;
    tp_i64 dst;
    int source;
    tp_pass pass;
    int top;
    int left;
    int win_h;
    int win_w;
    int lut;
    int channels_last;
    int canvas_h;
    int canvas_w;
} tp_output_pass;

/* The sizes `abi.rs` mirrors (a negative array size fails the build, in C, C++ and NVRTC alike). */
#define TP_ASSERT_SIZE(T, n) typedef char tp_size_of_##T[(sizeof(T) == (n)) ? 1 : -1]
TP_ASSERT_SIZE(tp_pass, 19 * 4);
TP_ASSERT_SIZE(tp_stage_pass, 8 + 8 + 4 + 19 * 4);
TP_ASSERT_SIZE(tp_output_pass, 8 + 8 + 4 + 19 * 4 + 8 * 4);

TP_FN unsigned char tp_clip8(int acc, int precision) {
    int v = acc >> precision;
    return (unsigned char)(v < 0 ? 0 : (v > 255 ? 255 : v));
}

/* Pillow's `alpha_composite` of (value, alpha) onto opaque white, integer for integer. */
TP_FN unsigned char tp_composite_on_white(unsigned int value, unsigned int alpha) {
    if (alpha == 0) {
        return 255;
    }
    unsigned int coef1 = alpha * 255u * 255u * 128u / (alpha * 255u + 255u * (255u - alpha));
    unsigned int coef2 = 255u * 128u - coef1;
    unsigned int tmp = value * coef1 + 255u * coef2 + (0x80u << 7);
    return (unsigned char)((((tmp >> 8) + tmp) >> 8) >> 7);
}

/* Pillow's MULDIV255: a * b / 255, rounded. */
TP_FN unsigned char tp_muldiv255(unsigned int a, unsigned int b) {
    unsigned int t = a * b + 128u;
    return (unsigned char)(((t >> 8) + t) >> 8);
}

/* The most channels a pixel has (RGBA kept as it is). */
#define TP_MAX_CHANNELS 4
#ifdef __CUDACC_RTC__
#define TP_UNROLL _Pragma("unroll")
#else
#define TP_UNROLL
#endif

/* Pixel `pixel` of a pass's input as the pass's `channels` (RGB through `convert`), into `v`. */
TP_FN void tp_read(const unsigned char *image, const tp_pass *p, tp_i64 pixel, unsigned char *v) {
    const unsigned char *px = image + pixel * p->in_channels;
    switch (p->convert) {
    case TP_GRAY:
        v[0] = v[1] = v[2] = px[0];
        break;
    case TP_GRAY_ALPHA:
        v[0] = v[1] = v[2] = tp_composite_on_white(px[0], px[1]);
        break;
    case TP_RGBA:
        TP_UNROLL for (int c = 0; c < 3; c++) {
            v[c] = tp_composite_on_white(px[c], px[3]);
        }
        break;
    default:
        TP_UNROLL for (int c = 0; c < TP_MAX_CHANNELS; c++) {
            if (c < p->channels) {
                v[c] = px[c];
            }
        }
    }
    /* Pillow resizes RGBA and LA premultiplied (RGBa, La): the colours times alpha, read so. */
    if (p->premultiply) {
        unsigned int alpha = v[p->channels - 1];
        TP_UNROLL for (int c = 0; c < TP_MAX_CHANNELS - 1; c++) {
            if (c < p->channels - 1) {
                v[c] = tp_muldiv255(v[c], alpha);
            }
        }
    }
}

/* And divided back after the resize (RGBa to RGBA): kept where alpha is 0 or 255. */
TP_FN void tp_unpremultiply(unsigned char *v, int channels) {
    unsigned int alpha = v[channels - 1];
    if (alpha == 0 || alpha == 255) {
        return;
    }
    TP_UNROLL for (int c = 0; c < TP_MAX_CHANNELS - 1; c++) {
        if (c < channels - 1) {
            unsigned int x = 255u * v[c] / alpha;
            v[c] = (unsigned char)(x > 255u ? 255u : x);
        }
    }
}

/* Pixel (x, y) of a pass's input (absolute coordinates) in its buffer. */
TP_FN tp_i64 tp_pixel(const tp_pass *p, int x, int y) {
    return (tp_i64)(y - p->in_y0) * p->in_w + (x - p->in_x0);
}

/* Pixel (x, y) of a pass's output, every channel, read from `image` (the pass's input buffer) into
 * `out`: one thread per pixel, so the taps' positions and weights are read once for all channels. */
TP_FN void tp_sample(const unsigned char *image, const tp_pass *p, const int *starts, const int *lens,
                     const int *weights, int x, int y, unsigned char *out) {
    if (p->kind == TP_COPY) {
        /* A part of an image copies zeros outside it. */
        if (x < p->in_x0 || x >= p->in_x0 + p->in_w || y < p->in_y0 || y >= p->in_y0 + p->in_h) {
            TP_UNROLL for (int c = 0; c < TP_MAX_CHANNELS; c++) {
                out[c] = 0;
            }
            return;
        }
        tp_read(image, p, tp_pixel(p, x, y), out);
        return;
    }
    if (p->kind == TP_NEAREST) {
        int sx = starts[p->taps + x];
        int sy = starts[p->aux + y];
        if (sx < 0 || sy < 0) {
            TP_UNROLL for (int c = 0; c < TP_MAX_CHANNELS; c++) {
                out[c] = 0;
            }
            return;
        }
        tp_read(image, p, tp_pixel(p, sx, sy), out);
        return;
    }
    int along = p->kind == TP_HORIZONTAL ? x : y;
    int start = starts[p->taps + along];
    int len = lens[p->taps + along];
    const int *w = weights + p->weights + (tp_i64)along * p->ksize;
    /* The channels a pixel lacks read as 0: every accumulator is defined, the extra ones unused. */
    unsigned char v[TP_MAX_CHANNELS] = {0, 0, 0, 0};
    int acc[TP_MAX_CHANNELS];
    TP_UNROLL for (int c = 0; c < TP_MAX_CHANNELS; c++) {
        acc[c] = 1 << (p->precision - 1);
    }
    for (int k = 0; k < len; k++) {
        tp_i64 pixel = p->kind == TP_HORIZONTAL ? tp_pixel(p, start + k, y) : tp_pixel(p, x, start + k);
        tp_read(image, p, pixel, v);
        TP_UNROLL for (int c = 0; c < TP_MAX_CHANNELS; c++) {
            acc[c] += v[c] * w[k];
        }
    }
    TP_UNROLL for (int c = 0; c < TP_MAX_CHANNELS; c++) {
        out[c] = tp_clip8(acc[c], p->precision);
    }
    if (p->unpremultiply) {
        tp_unpremultiply(out, p->channels);
    }
}

/* The quotient of a non-negative index by a positive divisor, and the remainder in `*rest`:
 * in 32 bits when both fit (64-bit division is a long subroutine on the GPU). */
TP_FN tp_i64 tp_divmod(tp_i64 i, tp_i64 d, tp_i64 *rest) {
    if ((unsigned long long)(i | d) <= 0xffffffffull) {
        unsigned int q = (unsigned int)i / (unsigned int)d;
        *rest = (tp_i64)((unsigned int)i - q * (unsigned int)d);
        return (tp_i64)q;
    }
    *rest = i % d;
    return i / d;
}

/* The levels of every channel at (`row`, `column`) of an output's window: the last pass's pixel
 * where the window lies on the image, 0 in the padding (both references pad the uint8 image with
 * zeros). */
TP_FN void tp_output_levels(const unsigned char *src, const tp_output_pass *o, const int *starts,
                            const int *lens, const int *weights, int row, int column, unsigned char *levels) {
    const tp_pass *p = &o->pass;
    int y = row + o->top;
    int x = column + o->left;
    if (y < 0 || y >= p->out_h || x < 0 || x >= p->out_w) {
        TP_UNROLL for (int c = 0; c < TP_MAX_CHANNELS; c++) {
            levels[c] = 0;
        }
        return;
    }
    tp_sample(src + o->src, p, starts, lens, weights, x, y, levels);
}

/* Where channel `c` at (`row`, `column`) of an output's window goes in the output buffer. */
TP_FN tp_i64 tp_output_index(const tp_output_pass *o, int c, int row, int column) {
    if (o->channels_last) {
        return o->dst + ((tp_i64)row * o->canvas_w + column) * o->pass.channels + c;
    }
    return o->dst + ((tp_i64)c * o->canvas_h + row) * o->canvas_w + column;
}

TP_FN const unsigned char *tp_source(int source, const unsigned char *input, const unsigned char *stage) {
    return source == TP_FROM_INPUT ? input : stage;
}

/* One stage pass, pixels `first`, `first + stride`, ... (row-major; one thread's share on the
 * device, all of them on the host), reading the input images or what earlier waves staged. The
 * descriptor is copied locally: the byte stores could alias it, and would make every pixel load it
 * again. */
TP_FN void tp_stage_run(const unsigned char *input, unsigned char *stage, const tp_stage_pass *pass,
                        const int *starts, const int *lens, const int *weights, tp_i64 first, tp_i64 stride) {
    const tp_stage_pass s = *pass;
    const tp_pass *p = &s.pass;
    const unsigned char *src = tp_source(s.source, input, stage) + s.src;
    tp_i64 n = (tp_i64)p->out_w * p->out_h;
    for (tp_i64 i = first; i < n; i += stride) {
        tp_i64 x;
        tp_i64 y = tp_divmod(i, p->out_w, &x);
        unsigned char out[TP_MAX_CHANNELS];
        tp_sample(src, p, starts, lens, weights, p->out_x0 + (int)x, p->out_y0 + (int)y, out);
        unsigned char *to = stage + s.dst + i * p->channels;
        TP_UNROLL for (int c = 0; c < TP_MAX_CHANNELS; c++) {
            if (c < p->channels) {
                to[c] = out[c];
            }
        }
    }
}

/* One output, pixels `first`, `first + stride`, ... of its window: float32 through the level tables
 * into `dst_f32`, or the levels into `dst_u8` (the other pointer is null). */
TP_FN void tp_output_run(const unsigned char *input, const unsigned char *stage, float *dst_f32,
                         unsigned char *dst_u8, const tp_output_pass *pass, const int *starts, const int *lens,
                         const int *weights, const float *luts, tp_i64 first, tp_i64 stride) {
    const tp_output_pass o = *pass;
    const unsigned char *src = tp_source(o.source, input, stage);
    tp_i64 n = (tp_i64)o.win_h * o.win_w;
    for (tp_i64 i = first; i < n; i += stride) {
        tp_i64 column;
        int row = (int)tp_divmod(i, o.win_w, &column);
        unsigned char levels[TP_MAX_CHANNELS];
        tp_output_levels(src, &o, starts, lens, weights, row, (int)column, levels);
        TP_UNROLL for (int c = 0; c < TP_MAX_CHANNELS; c++) {
            if (c < o.pass.channels) {
                tp_i64 at = tp_output_index(&o, c, row, (int)column);
                if (dst_f32) {
                    dst_f32[at] = luts[o.lut + c * 256 + levels[c]];
                } else {
                    dst_u8[at] = levels[c];
                }
            }
        }
    }
}

#ifdef __CUDACC_RTC__
#define TP_THREAD ((tp_i64)blockIdx.x * blockDim.x + threadIdx.x)
#define TP_THREADS ((tp_i64)gridDim.x * blockDim.x)

/* One wave of stage passes: block row `blockIdx.y` is the pass, threads stride its elements. */
extern "C" __global__ void tp_stage(const unsigned char *input, unsigned char *stage, const tp_stage_pass *passes,
                                    const int *starts, const int *lens, const int *weights) {
    tp_stage_run(input, stage, &passes[blockIdx.y], starts, lens, weights, TP_THREAD, TP_THREADS);
}

/* The last pass fused with crop, rescale and normalize: float32 outputs. */
extern "C" __global__ void tp_output_f32(const unsigned char *input, const unsigned char *stage, float *dst,
                                         const tp_output_pass *outputs, const int *starts, const int *lens,
                                         const int *weights, const float *luts) {
    tp_output_run(input, stage, dst, 0, &outputs[blockIdx.y], starts, lens, weights, luts, TP_THREAD, TP_THREADS);
}

/* The same without rescale and normalize: uint8 outputs. */
extern "C" __global__ void tp_output_u8(const unsigned char *input, const unsigned char *stage, unsigned char *dst,
                                        const tp_output_pass *outputs, const int *starts, const int *lens,
                                        const int *weights) {
    tp_output_run(input, stage, 0, dst, &outputs[blockIdx.y], starts, lens, weights, 0, TP_THREAD, TP_THREADS);
}
#endif

#endif
