/// Row-major matrices as arrays of rows: the model file's layout and the trace's.
public typealias Vector = [Double]
public typealias Matrix = [[Double]]
