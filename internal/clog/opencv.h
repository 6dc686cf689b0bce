#ifndef PISTREAM_CLOG_OPENCV_H
#define PISTREAM_CLOG_OPENCV_H
#ifdef __cplusplus
extern "C" {
#endif

// pistream_opencv_log_level sets OpenCV's log level: 0 silent, 1 fatal,
// 2 error, 3 warning, 4 info, 5 debug, 6 verbose.
void pistream_opencv_log_level(int level);

#ifdef __cplusplus
}
#endif
#endif
