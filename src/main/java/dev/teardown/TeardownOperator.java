package dev.teardown; public class TeardownOperator { public static void main(String[] a){} }
