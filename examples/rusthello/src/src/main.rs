// rusthello formats a number with the itoa crate, which kiln's cargo
// generator vendors from Debian's librust-itoa-dev.
fn main() {
    let mut buf = itoa::Buffer::new();
    println!("rusthello counts to {}", buf.format(42u64));
}
