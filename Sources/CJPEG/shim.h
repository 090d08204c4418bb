#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>

/* libjpeg reports fatal errors by calling error_exit, which must not return. Swift cannot catch a
   longjmp, so decoding and encoding run here, in C, behind setjmp; errors come back as text. */

struct lethe_jpeg_error {
  struct jpeg_error_mgr mgr;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  int truncated;
};

static void lethe_jpeg_error_exit(j_common_ptr info) {
  struct lethe_jpeg_error *err = (struct lethe_jpeg_error *)info->err;
  (*info->err->format_message)(info, err->message);
  longjmp(err->jump, 1);
}

/* Warnings are silent, except that image data ending early (the file, or a data segment cut by a
   marker) is remembered: libjpeg would otherwise pad the image with grey and report success, and
   a 200-byte file claiming 100 megapixels would be "decoded" for seconds. Decoding stops there. */
static void lethe_jpeg_silence(j_common_ptr info, int level) {
  struct lethe_jpeg_error *err = (struct lethe_jpeg_error *)info->err;
  int code = info->err->msg_code;
  if (level < 0 && (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER)) err->truncated = 1;
}

/* Decodes a JPEG held in memory to 8-bit pixels, interleaved, `channels` (1 grey or 3 RGB) per
   pixel. On success returns 0, sets *width/*height and *pixels (malloc'd; the caller frees).
   On failure returns -1 and writes a message into `message` (at least 200 bytes). */
static inline int lethe_jpeg_decode(const unsigned char *data, unsigned long size, int channels,
                                    unsigned char **pixels, int *width, int *height, char *message) {
  struct jpeg_decompress_struct info;
  struct lethe_jpeg_error err;
  unsigned char *volatile out = NULL;
  *pixels = NULL;
  info.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = lethe_jpeg_error_exit;
  err.mgr.emit_message = lethe_jpeg_silence;
  err.truncated = 0;
  if (setjmp(err.jump)) {
    strncpy(message, err.message, 199);
    message[199] = 0;
    jpeg_destroy_decompress(&info);
    free(out);
    return -1;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, data, size);
  jpeg_read_header(&info, TRUE);
  info.out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  if ((unsigned long long)info.image_width * info.image_height > (1ull << 28)) {
    snprintf(message, 200, "image of %ux%u pixels is too large", info.image_width, info.image_height);
    jpeg_destroy_decompress(&info);
    return -1;
  }
  jpeg_start_decompress(&info);
  size_t stride = (size_t)info.output_width * (size_t)info.output_components;
  out = (unsigned char *)malloc(stride * info.output_height + 1);
  if (!out) {
    strcpy(message, "out of memory");
    jpeg_destroy_decompress(&info);
    return -1;
  }
  while (info.output_scanline < info.output_height && !err.truncated) {
    JSAMPROW row = out + stride * info.output_scanline;
    jpeg_read_scanlines(&info, &row, 1);
  }
  if (!err.truncated) jpeg_finish_decompress(&info);
  if (err.truncated) {
    strcpy(message, "truncated: the image data ends before the image does");
    jpeg_destroy_decompress(&info);
    free(out);
    return -1;
  }
  *width = (int)info.output_width;
  *height = (int)info.output_height;
  *pixels = out;
  jpeg_destroy_decompress(&info);
  return 0;
}

/* Encodes interleaved 8-bit pixels (1 or 3 channels) as a baseline JPEG in memory. Returns 0 and
   a malloc'd buffer in *jpeg (the caller frees) or -1 with a message. */
static inline int lethe_jpeg_encode(const unsigned char *pixels, int width, int height, int channels,
                                    int quality, unsigned char **jpeg, unsigned long *size,
                                    char *message) {
  struct jpeg_compress_struct info;
  struct lethe_jpeg_error err;
  *jpeg = NULL;
  *size = 0;
  info.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = lethe_jpeg_error_exit;
  if (setjmp(err.jump)) {
    strncpy(message, err.message, 199);
    message[199] = 0;
    jpeg_destroy_compress(&info);
    return -1;
  }
  jpeg_create_compress(&info);
  jpeg_mem_dest(&info, jpeg, size);
  info.image_width = (JDIMENSION)width;
  info.image_height = (JDIMENSION)height;
  info.input_components = channels;
  info.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, quality, TRUE);
  jpeg_start_compress(&info, TRUE);
  size_t stride = (size_t)width * (size_t)channels;
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = (JSAMPROW)(pixels + stride * info.next_scanline);
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  return 0;
}
