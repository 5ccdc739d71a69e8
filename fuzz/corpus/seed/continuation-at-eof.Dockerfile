FROM alpine
RUN echo \
