/* The arithmetic of twinproc's CUDA kernels, in one header compiled twice: by NVRTC for the device,
 * and by the host C compiler for the test suite (`host.c`), so CI proves the device arithmetic equals
 * the CPU twin without a GPU.
 *
 * Every number a kernel computes is decided on the host: the tables (starts, lens, fixed-point
 * weights, nearest sources, per-level output values) come from the numeric core, the same ones the
 * CPU backend uses. The kernels only do integer multiply-adds, shifts, clamps and table lookups, so
 * there is no float rounding to disagree about (no FMA contraction, no op order).
 */
#ifndef TWINPROC_KERNELS_CUH
#define TWINPROC_KERNELS_CUH

#ifdef __CUDACC_RTC__
#define TP_FN __device__ __forceinline__
typedef long long tp_i64;
#else
#define TP_FN static inline
typedef long long tp_i64;
#endif

/* Pass kinds of a resample stage. */
#define TP_HORIZONTAL 0
#define TP_VERTICAL 1
#define TP_NEAREST 2

/* Buffers a pass reads: the staged inputs, or the output of an earlier stage. */
#define TP_FROM_INPUT 0
#define TP_FROM_STAGE1 1
#define TP_FROM_STAGE2 2

/* One separable pass (or nearest gather) of one image. Offsets are in bytes of the source and
 * destination buffers; `taps` indexes `starts`/`lens` (or the nearest x table), `aux` the nearest
 * y table, `weights` the fixed-point weights (`ksize` per output position). */
typedef struct {
    tp_i64 src;
    tp_i64 dst;
    int source;
    int kind;
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
} tp_resample_pass;

/* The crop window and level map of one output: reads `src` (of `src_w` x `src_h`), writes
 * `out_h` x `out_w` x `channels` values at element offset `dst`, CHW or HWC. */
typedef struct {
    tp_i64 src;
    tp_i64 dst;
    int source;
    int src_w;
    int src_h;
    int channels;
    int top;
    int left;
    int out_h;
    int out_w;
    int lut;
    int channels_last;
} tp_map_pass;

TP_FN unsigned char tp_clip8(int acc, int precision) {
    int v = acc >> precision;
    return (unsigned char)(v < 0 ? 0 : (v > 255 ? 255 : v));
}

/* Element `i` (row-major y, x, channel) of a resample pass's output. */
TP_FN unsigned char tp_resample_element(const unsigned char *src, const tp_resample_pass *p,
                                        const int *starts, const int *lens, const int *weights,
                                        tp_i64 i) {
    int c = (int)(i % p->channels);
    tp_i64 pixel = i / p->channels;
    int x = (int)(pixel % p->out_w);
    int y = (int)(pixel / p->out_w);
    const unsigned char *image = src + p->src;
    if (p->kind == TP_NEAREST) {
        int sx = starts[p->taps + x];
        int sy = starts[p->aux + y];
        if (sx < 0 || sy < 0) {
            return 0;
        }
        return image[((tp_i64)sy * p->in_w + sx) * p->channels + c];
    }
    int along = p->kind == TP_HORIZONTAL ? x : y;
    int start = starts[p->taps + along];
    int len = lens[p->taps + along];
    const int *w = weights + p->weights + (tp_i64)along * p->ksize;
    int acc = 1 << (p->precision - 1);
    if (p->kind == TP_HORIZONTAL) {
        const unsigned char *row = image + (tp_i64)y * p->in_w * p->channels + c;
        for (int k = 0; k < len; k++) {
            acc += row[(tp_i64)(start + k) * p->channels] * w[k];
        }
    } else {
        const unsigned char *column = image + (tp_i64)x * p->channels + c;
        tp_i64 row_len = (tp_i64)p->in_w * p->channels;
        for (int k = 0; k < len; k++) {
            acc += column[(start + k) * row_len] * w[k];
        }
    }
    return tp_clip8(acc, p->precision);
}

/* Where element `i` of a map pass's output reads: its channel and the source level (0 outside). */
TP_FN unsigned char tp_map_level(const unsigned char *src, const tp_map_pass *m, tp_i64 i, int *channel) {
    tp_i64 plane = (tp_i64)m->out_h * m->out_w;
    int c;
    tp_i64 pixel;
    if (m->channels_last) {
        c = (int)(i % m->channels);
        pixel = i / m->channels;
    } else {
        c = (int)(i / plane);
        pixel = i % plane;
    }
    *channel = c;
    int y = (int)(pixel / m->out_w) + m->top;
    int x = (int)(pixel % m->out_w) + m->left;
    if (y < 0 || y >= m->src_h || x < 0 || x >= m->src_w) {
        return 0;
    }
    return src[m->src + ((tp_i64)y * m->src_w + x) * m->channels + c];
}

/* Element `i` of a float output: the level's value from the host-built table. */
TP_FN float tp_map_f32_element(const unsigned char *src, const tp_map_pass *m, const float *luts, tp_i64 i) {
    int c;
    unsigned char level = tp_map_level(src, m, i, &c);
    return luts[m->lut + c * 256 + level];
}

TP_FN tp_i64 tp_resample_len(const tp_resample_pass *p) {
    return (tp_i64)p->out_w * p->out_h * p->channels;
}

TP_FN tp_i64 tp_map_len(const tp_map_pass *m) {
    return (tp_i64)m->out_h * m->out_w * m->channels;
}

TP_FN const unsigned char *tp_source(int source, const unsigned char *input, const unsigned char *stage1,
                                     const unsigned char *stage2) {
    return source == TP_FROM_INPUT ? input : (source == TP_FROM_STAGE1 ? stage1 : stage2);
}

#ifdef __CUDACC_RTC__
/* One resample stage: block row `blockIdx.y` is the pass (image), threads cover its elements. */
extern "C" __global__ void tp_resample(const unsigned char *input, const unsigned char *stage1,
                                       const unsigned char *stage2, unsigned char *dst,
                                       const tp_resample_pass *passes, const int *starts, const int *lens,
                                       const int *weights) {
    const tp_resample_pass *p = &passes[blockIdx.y];
    tp_i64 n = tp_resample_len(p);
    const unsigned char *src = tp_source(p->source, input, stage1, stage2);
    for (tp_i64 i = (tp_i64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (tp_i64)gridDim.x * blockDim.x) {
        dst[p->dst + i] = tp_resample_element(src, p, starts, lens, weights, i);
    }
}

/* The map stage: crop, look up each level's value, write float32 CHW/HWC outputs. */
extern "C" __global__ void tp_map_f32(const unsigned char *input, const unsigned char *stage1,
                                      const unsigned char *stage2, float *dst, const tp_map_pass *maps,
                                      const float *luts) {
    const tp_map_pass *m = &maps[blockIdx.y];
    tp_i64 n = tp_map_len(m);
    const unsigned char *src = tp_source(m->source, input, stage1, stage2);
    for (tp_i64 i = (tp_i64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (tp_i64)gridDim.x * blockDim.x) {
        dst[m->dst + i] = tp_map_f32_element(src, m, luts, i);
    }
}

/* The map stage without rescale and normalize: uint8 outputs. */
extern "C" __global__ void tp_map_u8(const unsigned char *input, const unsigned char *stage1,
                                     const unsigned char *stage2, unsigned char *dst, const tp_map_pass *maps) {
    const tp_map_pass *m = &maps[blockIdx.y];
    tp_i64 n = tp_map_len(m);
    const unsigned char *src = tp_source(m->source, input, stage1, stage2);
    for (tp_i64 i = (tp_i64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (tp_i64)gridDim.x * blockDim.x) {
        int c;
        dst[m->dst + i] = tp_map_level(src, m, i, &c);
    }
}
#endif

#endif
