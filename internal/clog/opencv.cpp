#include <opencv2/core/utils/logger.hpp>
#include "opencv.h"

void pistream_opencv_log_level(int level) {
	cv::utils::logging::setLogLevel(static_cast<cv::utils::logging::LogLevel>(level));
}
