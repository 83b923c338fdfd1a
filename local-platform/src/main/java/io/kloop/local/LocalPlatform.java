package io.kloop.local; public class LocalPlatform { public static void main(String[] a) {} }
