/*
 * Calls the JNI glue of an android-arm64 project as the JVM would, through a JNIEnv of our own that backs Java
 * byte, double and object arrays with C arrays: so a test runs the glue itself (static, under qemu-aarch64) without
 * an Android device. Reads the int8 input file argv[1]; writes to argv[2] every output of nativeRunAll in order,
 * then output 0 again from nativeRun, and prints each output's nativeOutputInfo.
 */
#include <jni.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A Java array: its length and its elements (bytes, doubles, or arrays for an object array). */
typedef struct {
  jsize length;
  void *elements;
} fake_array;

static jsize get_length(JNIEnv *env, jarray a) {
  (void)env;
  return ((fake_array *)a)->length;
}

static void get_bytes(JNIEnv *env, jbyteArray a, jsize start, jsize n, jbyte *to) {
  (void)env;
  memcpy(to, (jbyte *)((fake_array *)a)->elements + start, (size_t)n);
}

static void set_bytes(JNIEnv *env, jbyteArray a, jsize start, jsize n, const jbyte *from) {
  (void)env;
  memcpy((jbyte *)((fake_array *)a)->elements + start, from, (size_t)n);
}

static void set_doubles(JNIEnv *env, jdoubleArray a, jsize start, jsize n, const jdouble *from) {
  (void)env;
  memcpy((jdouble *)((fake_array *)a)->elements + start, from, (size_t)n * sizeof(jdouble));
}

static jobject get_element(JNIEnv *env, jobjectArray a, jsize i) {
  (void)env;
  return ((fake_array **)((fake_array *)a)->elements)[i];
}

static void delete_local_ref(JNIEnv *env, jobject o) {
  (void)env;
  (void)o;
}

JNIEXPORT jint JNICALL Java_dev_tinyedge_TinyedgeModel_nativeInputBytes(JNIEnv *, jclass);
JNIEXPORT jint JNICALL Java_dev_tinyedge_TinyedgeModel_nativeOutputBytes(JNIEnv *, jclass);
JNIEXPORT jint JNICALL Java_dev_tinyedge_TinyedgeModel_nativeRun(JNIEnv *, jclass, jbyteArray, jbyteArray);
JNIEXPORT jint JNICALL Java_dev_tinyedge_TinyedgeModel_nativeOutputCount(JNIEnv *, jclass);
JNIEXPORT jint JNICALL Java_dev_tinyedge_TinyedgeModel_nativeOutputInfo(JNIEnv *, jclass, jint, jdoubleArray);
JNIEXPORT jint JNICALL Java_dev_tinyedge_TinyedgeModel_nativeRunAll(JNIEnv *, jclass, jbyteArray, jobjectArray);

static fake_array *new_array(jsize length, size_t element_size) {
  fake_array *a = malloc(sizeof *a);
  a->length = length;
  a->elements = calloc((size_t)length + 1, element_size);
  return a;
}

int main(int argc, char **argv) {
  struct JNINativeInterface table;
  JNIEnv env = &table;
  jint in_bytes, count, k;
  fake_array *input, *outputs, *first;
  FILE *f;
  if (argc != 3) return 2;
  memset(&table, 0, sizeof table);
  table.GetArrayLength = get_length;
  table.GetByteArrayRegion = get_bytes;
  table.SetByteArrayRegion = set_bytes;
  table.SetDoubleArrayRegion = set_doubles;
  table.GetObjectArrayElement = get_element;
  table.DeleteLocalRef = delete_local_ref;

  in_bytes = Java_dev_tinyedge_TinyedgeModel_nativeInputBytes(&env, NULL);
  input = new_array(in_bytes, 1);
  f = fopen(argv[1], "rb");
  if (!f || fread(input->elements, 1, (size_t)in_bytes, f) != (size_t)in_bytes) return 2;
  fclose(f);

  count = Java_dev_tinyedge_TinyedgeModel_nativeOutputCount(&env, NULL);
  outputs = new_array(count, sizeof(fake_array *));
  for (k = 0; k < count; k++) {
    fake_array *info = new_array(4, sizeof(jdouble));
    jdouble *q = info->elements;
    if (Java_dev_tinyedge_TinyedgeModel_nativeOutputInfo(&env, NULL, k, info) != 0) return 3;
    printf("output %d: bytes %.0f scale %.9g zero_point %.0f element_bytes %.0f\n", (int)k, q[0], q[1], q[2], q[3]);
    ((fake_array **)outputs->elements)[k] = new_array((jsize)q[0], 1);
  }
  /* A wrong count or size is refused before anything runs. */
  outputs->length = count + 1;
  if (Java_dev_tinyedge_TinyedgeModel_nativeRunAll(&env, NULL, input, outputs) != -1) return 4;
  outputs->length = count;
  if (Java_dev_tinyedge_TinyedgeModel_nativeRunAll(&env, NULL, input, outputs) != 0) return 5;
  first = new_array(Java_dev_tinyedge_TinyedgeModel_nativeOutputBytes(&env, NULL), 1);
  if (Java_dev_tinyedge_TinyedgeModel_nativeRun(&env, NULL, input, first) != 0) return 6;

  f = fopen(argv[2], "wb");
  if (!f) return 2;
  for (k = 0; k < count; k++) {
    fake_array *o = ((fake_array **)outputs->elements)[k];
    fwrite(o->elements, 1, (size_t)o->length, f);
  }
  fwrite(first->elements, 1, (size_t)first->length, f);
  fclose(f);
  return 0;
}
